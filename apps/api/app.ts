import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { inTransaction, type Pool } from '../../services/shared/db';
import { callerOf, type Caller } from '../../services/shared/auth';
import { expiredKeys } from '../../services/shared/retention';
import { retentionRequest } from '../../contracts/wire/retention';
import { BusinessError } from '../../services/shared/errors';
import { idempotent } from '../../services/shared/idempotency';
import { answerUnknownRoutes } from '../../services/shared/unknown-routes';
import type { RoutingConfig } from '../../contracts/approval';
import { businessId, derivedId, maxKeyLength } from '../../contracts/fields';
import { approvalActions, approvalState, startApproval } from '../../client/approval';
import {
  ActionRefused,
  AlreadyStarted,
  GateUnavailable,
  NotFound,
  Unanswered,
  validate,
  ValidationError,
} from '../../client/errors';
import { purchaseFlashSale, type FlashSaleGatePort } from '../../client/flash-sale';
import { flashSaleInput } from '../../contracts/flash-sale';
import type { StartOptions } from '../../client/options';
import { refundState, startRefund } from '../../client/refund';
import type { ApiClient, ApiScope } from '../../config/api-clients';
import { authorize } from './auth';
import { approvalRequest, openApiDocument } from './openapi';
import { sagaRoutes } from './sagas';

export interface ApiOptions {
  client: Client;
  /** The task queue and configured waits every start gets (`startOptions(config)`); refund approval is the worker's policy. */
  start: StartOptions;
  logger: Logger;
  /** Approvals started over HTTP: the configured routing and timers; callers cannot choose them. */
  approvals: { routing: RoutingConfig; slaPerLevelMs: number; deadlineMs: number };
  /** The calling services, their bearer tokens and scopes. */
  clients: ApiClient[];
  /** Where POSTs with an Idempotency-Key keep their answers (schema `api`, migrated beforehand). */
  pool: Pool;
  /** Who may trim those answers (`POST /retention`, with a service token); unset: no such route. */
  retention?: { callers: readonly Caller[] };
  /** The flash-sale gate (the inventory service's); unset: purchases answer 503 GateUnavailable. */
  flashSaleGate?: FlashSaleGatePort;
}

const actions = ['approve', 'reject', 'delegate', 'comment', 'withdraw'] as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the calling service's token must grant; unset: public. */
    scope?: ApiScope;
  }
  interface FastifyRequest {
    /** The calling service whose token the request carries (set once authorized). */
    caller?: string;
  }
  interface FastifyInstance {
    /** Every route this API registered (method and Fastify path), to check the OpenAPI document against. */
    apiRoutes: readonly { method: string; url: string }[];
  }
}

/** The error types of the refusals Fastify itself makes, by status. */
const frameworkRefusals: Record<number, string> = {
  413: 'PayloadTooLarge',
  414: 'UriTooLong',
  415: 'UnsupportedMediaType',
};

/**
 * The HTTP API for services in other languages: the same operations as the typed client, with the
 * same validation, described at `GET /openapi.json`. Every call but `/health` and the document
 * carries `Authorization: Bearer <token>` of a configured calling service. Errors are
 * `{ error: { type, message, fields? } }`: 400 bad input (each field named), 401 no or unknown
 * token, 403 a token without the route's scope, 404 unknown workflow or route, 405 a route's path
 * under another method, 409 an action the workflow
 * refused (nothing recorded) or a business id already started with another input, 413
 * `PayloadTooLarge` (a body over Fastify's 1 MiB bodyLimit), 414 `UriTooLong` (a path parameter over
 * maxKeyLength), 415 `UnsupportedMediaType` (a body that is not JSON), 422 a flash-sale
 * purchase the gate refused (`OutOfStock`, `BuyerLimitReached`), 503 `GateUnavailable` (the gate
 * cannot decide: try the same order again, `Retry-After: 1`) or `Unanswered` (no worker answered a
 * running saga's query in time).
 *
 * A POST with an `Idempotency-Key` header runs at most once per calling service and key: the same
 * key with the same request answers the stored response (with `Idempotent-Replayed: true`), with
 * another request 409 `IdempotencyKeyReused`. A request refused as bad input (400) or failing
 * (5xx) stores nothing, so the caller may retry it with the same key. Without the header, starts
 * are still idempotent by their business id; actions are not.
 *
 * - `POST /refunds` (202; the same refund id again answers the same run), `GET /refunds/:id`
 * - `POST /approvals` (202), `GET /approvals/:id`, `POST /approvals/:id/approve|reject|delegate|comment|withdraw`
 * - `POST /flash-sales/purchases` (202 started; refused at the gate without a workflow)
 * - `GET /payments/:orderId`, `/checkouts/:orderId`, `/flash-sales/:orderId`, `GET /sagas`, and
 *   `POST /sagas/:workflowId/retry|skip|cancel`, acting as the calling service (see `./sagas.ts`)
 */
export function buildApiApp(opts: ApiOptions): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = opts.logger.child({ part: 'api' });
  // Path parameters as long as any id the POSTs accept or the flows derive (Fastify's default is 100).
  const app = Fastify({
    loggerInstance,
    disableRequestLogging: true,
    maxParamLength: maxKeyLength,
    // Refusals made before routing (a path parameter past maxParamLength: 414; a malformed URL: 400), in our shape.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode ?? 400;
      const message =
        status === 414 ? `a path parameter is longer than ${maxKeyLength} characters` : (err as Error).message;
      void (reply as FastifyReply)
        .status(status)
        .send({ error: { type: frameworkRefusals[status] ?? 'InvalidRequest', message } });
    },
  });
  const registered: { method: string; url: string }[] = [];
  app.decorate('apiRoutes', registered);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') registered.push({ method, url: route.url });
  });
  answerUnknownRoutes(app);
  // Bodies are JSON only: without this, Fastify would hand a text/plain body on as a string (a 400 at best).
  app.removeContentTypeParser('text/plain');
  const { client, start } = opts;
  const id = (params: unknown) => validate(z.object({ id: businessId }), params).id;
  const requestIdOf = (params: unknown) => validate(z.object({ id: derivedId }), params).id;

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ValidationError) {
      return reply.status(400).send({ error: { type: 'InvalidRequest', message: err.message, fields: err.fields } });
    }
    if (err instanceof GateUnavailable) {
      return reply
        .status(503)
        .header('retry-after', '1')
        .send({ error: { type: 'GateUnavailable', message: err.message } });
    }
    if (err instanceof Unanswered) {
      return reply
        .status(503)
        .header('retry-after', '1')
        .send({ error: { type: 'Unanswered', message: err.message } });
    }
    if (err instanceof NotFound) return reply.status(404).send({ error: { type: 'NotFound', message: err.message } });
    if (err instanceof ActionRefused || err instanceof AlreadyStarted) {
      return reply.status(409).send({ error: { type: err.name, message: err.message } });
    }
    if (err instanceof BusinessError) {
      // From the idempotency layer: a malformed or reused Idempotency-Key.
      const fields = 'fields' in err ? { fields: err.fields } : {};
      return reply.status(err.status).send({ error: { type: err.type, message: err.message, ...fields } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      // Fastify's own refusals: a body over bodyLimit (413), a content type it cannot parse (415), ...
      const type = frameworkRefusals[status] ?? 'InvalidRequest';
      return reply.status(status).send({ error: { type, message: (err as Error).message } });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { type: 'InternalError', message: 'internal error' } });
  });

  app.addHook('onRequest', async (request, reply) => {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return;
    const auth = authorize(opts.clients, request.headers.authorization, scope);
    if (!auth.ok) {
      request.log.warn({ url: request.url, status: auth.status, reason: auth.message }, 'api call refused');
      return reply
        .status(auth.status)
        .send({ error: { type: auth.status === 401 ? 'Unauthorized' : 'Forbidden', message: auth.message } });
    }
    request.caller = auth.client;
  });

  /**
   * Answers a POST with `work`'s result under `status`, at most once per caller and
   * Idempotency-Key when the header is given. A refused action is an answer too and is kept.
   */
  const once = async (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    work: (key: string | undefined) => Promise<unknown>,
  ) => {
    const given = request.headers['idempotency-key'];
    if (given === undefined) return reply.status(status).send(await work(undefined));
    if (typeof given !== 'string' || given.length === 0 || given.length > 300) {
      throw new ValidationError([{ path: 'Idempotency-Key', message: 'must be one header of 1-300 characters' }]);
    }
    const key = `${request.caller}:${given}`;
    const response = await idempotent(
      opts.pool,
      'api',
      key,
      { url: request.url, body: request.body ?? {} },
      async () => {
        try {
          return { status, body: await work(key) };
        } catch (err) {
          if (!(err instanceof ActionRefused)) throw err;
          return { status: 409, body: { error: { type: 'ActionRefused', message: err.message } } };
        }
      },
    );
    return reply.header('Idempotent-Replayed', String(response.replayed)).status(response.status).send(response.body);
  };

  app.get('/health', () => ({ status: 'ok', part: 'api' }));
  if (opts.retention) retentionRoute(app, opts.pool, opts.retention.callers);
  const document = openApiDocument();
  app.get('/openapi.json', () => document);

  const scope = (s: ApiScope) => ({ config: { scope: s } });
  app.post('/refunds', scope('refunds:start'), (request, reply) =>
    once(request, reply, 202, async () => {
      const handle = await startRefund(client, request.body as never, start);
      const { runId } = await handle.describe();
      return { workflowId: handle.workflowId, runId };
    }),
  );
  app.get('/refunds/:id', scope('refunds:read'), (request) => refundState(client, id(request.params)));

  app.post('/approvals', scope('approvals:start'), (request, reply) =>
    once(request, reply, 202, async () => {
      const body = validate(approvalRequest, request.body);
      const handle = await startApproval(client, { ...body, ...opts.approvals }, start);
      const { runId } = await handle.describe();
      return { workflowId: handle.workflowId, runId };
    }),
  );
  app.post('/flash-sales/purchases', scope('flash-sales:buy'), (request, reply) =>
    once(request, reply, 202, async () => {
      if (opts.flashSaleGate === undefined) throw new GateUnavailable('this API has no flash-sale gate configured');
      const input = validate(flashSaleInput.omit({ gated: true }), request.body);
      const purchase = await purchaseFlashSale(client, opts.flashSaleGate, input, start);
      if (purchase.status === 'REFUSED') {
        const status = purchase.refusal === 'AdmissionReturned' ? 409 : 422;
        throw new BusinessError(purchase.refusal, purchase.message, status);
      }
      const { runId } = await purchase.handle.describe();
      return { workflowId: purchase.handle.workflowId, runId };
    }),
  );
  app.get('/approvals/:id', scope('approvals:read'), (request) => approvalState(client, requestIdOf(request.params)));
  app.post('/approvals/:id/:action', scope('approvals:act'), (request, reply) => {
    const { id: requestId, action } = validate(
      z.object({ id: derivedId, action: z.enum(actions, { error: `must be one of ${actions.join(', ')}` }) }),
      request.params,
    );
    // The key is also the update's id: should the answer be lost before it is stored, the engine
    // still applies the action once and answers its first outcome to the retry.
    return once(request, reply, 200, (key) =>
      approvalActions[action](client, requestId, request.body ?? {}, key === undefined ? {} : { updateId: key }),
    );
  });
  sagaRoutes(app, client, once, scope);
  return app;
}

/**
 * `POST /retention`, for the retention workflow, not in the OpenAPI document: with a service token
 * (not an API token; 401 without one, before the body is read), removes at most `batchSize` of
 * the stored answers older than `windows.idempotencyKeys`, oldest first, and answers
 * `{ removed: { idempotencyKeys }, more }`. Removing twice is harmless, so it keeps no answer itself.
 */
function retentionRoute(app: FastifyInstance, pool: Pool, callers: readonly Caller[]): void {
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(callers, request.headers.authorization);
    if (caller !== undefined) return;
    const message = request.headers.authorization === undefined ? 'missing bearer token' : 'unknown bearer token';
    request.log.warn({ url: request.url, reason: message }, 'api call refused');
    return reply.status(401).send({ error: { type: 'Unauthorized', message } });
  };
  app.post('/retention', { onRequest }, async (request) => {
    const input = validate(retentionRequest, request.body ?? {});
    const removed = await inTransaction(pool, (c) =>
      expiredKeys('api')(c, input.windows.idempotencyKeys, input.batchSize),
    );
    return { removed: { idempotencyKeys: removed }, more: removed >= input.batchSize };
  });
}
