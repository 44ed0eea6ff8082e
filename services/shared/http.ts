import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { describeFields, parseOrThrow, ValidationError } from '../../contracts/validation';
import { amountLimitRefusal, BusinessError, TransientError } from './errors';
import type { Pool, PoolClient } from './db';
import { idempotent, type IdempotentResponse } from './idempotency';
import type { Branch } from './barrier';
import { businessId, empty, maxKeyLength } from '../../contracts/fields';
import { transientSqlState } from './retryable';
import { answerUnknownRoutes } from './unknown-routes';

/** Parses `value` with `schema`, or throws a ValidationError (a 400) naming every bad field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  return parseOrThrow(schema, value, 'request', '(body)');
}

/** The Idempotency-Key header, required on every mutating endpoint. */
export function idempotencyKey(request: FastifyRequest): string {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key.length === 0 || key.length > 300) {
    throw new ValidationError([{ path: 'Idempotency-Key', message: 'header is required (1-300 characters)' }]);
  }
  return key;
}

/**
 * A Fastify app with the conventions every service shares: JSON errors of the form
 * `{ error: { type, message, fields? } }` (400 bad input, 409 conflict, 422 business refusal,
 * 503 transient fault, 500 anything else; 404 `NotFound` or 405 `MethodNotAllowed` for a route it
 * does not have) and `GET /health`, which checks the database.
 */
export function createServiceApp(name: string, pool: Pool, logger: Logger): FastifyInstance {
  // Typed as Fastify's logger so the app keeps Fastify's default generics.
  const loggerInstance: FastifyBaseLogger = logger.child({ service: name });
  // Per-request lines off: services log what they decide, not every request.
  // Path parameters as long as any id the routes accept or the flows derive (Fastify's default is 100).
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    maxParamLength: maxKeyLength,
  });
  answerUnknownRoutes(app);
  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ValidationError) {
      const message = describeFields(err.fields);
      return reply.status(400).send({ error: { type: 'InvalidRequest', message, fields: err.fields } });
    }
    // A non-idempotent write (a seed PUT) past the money bound is the same refusal as in a mutation.
    const refusal = err instanceof BusinessError ? err : amountLimitRefusal(err);
    if (refusal !== undefined) {
      return reply.status(refusal.status).send({ error: { type: refusal.type, message: refusal.message } });
    }
    if (err instanceof TransientError) {
      request.log.warn({ err }, 'transient fault');
      return reply.status(503).send({ error: { type: err.type, message: err.message } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { type: 'InvalidRequest', message: (err as Error).message } });
    }
    if (transientSqlState((err as { code?: string }).code)) {
      request.log.warn({ err }, 'transient database fault');
      return reply.status(503).send({ error: { type: 'Unavailable', message: 'transient database fault, retry' } });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { type: 'InternalError', message: 'internal error' } });
  });
  app.get('/health', async () => {
    await pool.query('SELECT 1');
    return { status: 'ok', service: name };
  });
  return app;
}

/** Where a mutating endpoint lives and what it accepts. */
export interface MutationOptions<S extends z.ZodType> {
  pool: Pool;
  schema: string;
  url: string;
  body: S;
  status?: number;
}

/** The work of one mutation, in its transaction, with the validated body, the path params and the key. */
export type MutationWork<S extends z.ZodType> = (
  client: PoolClient,
  input: z.infer<S>,
  params: Record<string, string>,
  key: string,
) => Promise<unknown>;

/** The Idempotency-Key and the validated body of a mutating request; a ValidationError (400) otherwise. */
export function mutationInput<S extends z.ZodType>(
  request: FastifyRequest,
  body: S,
): { key: string; input: z.infer<S> } {
  return { key: idempotencyKey(request), input: parseInput(body, request.body ?? {}) };
}

/** Runs `work` once per key (see `idempotent`) and answers its stored response. */
export function runMutation<S extends z.ZodType>(
  opts: MutationOptions<S>,
  params: Record<string, string>,
  key: string,
  input: z.infer<S>,
  work: MutationWork<S>,
): Promise<IdempotentResponse> {
  return idempotent(opts.pool, opts.schema, key, { params, input }, async (client) => ({
    status: opts.status ?? 200,
    body: await work(client, input, params, key),
  }));
}

/**
 * A mutating endpoint: requires Idempotency-Key, validates the body with `body`, and runs `work`
 * exactly once per key in one transaction (see `idempotent`), handing it the key too. `work` may
 * throw a BusinessError, which becomes the stored answer for that key.
 */
export function mutation<S extends z.ZodType>(
  app: FastifyInstance,
  opts: MutationOptions<S>,
  work: MutationWork<S>,
): void {
  app.post<{ Params: Record<string, string> }>(opts.url, async (request, reply) => {
    const { key, input } = mutationInput(request, opts.body);
    const response = await runMutation(opts, request.params, key, input, work);
    return reply.status(response.status).send(response.body);
  });
}

/** A read endpoint: 404 with `type` when `read` finds nothing. */
export function query(
  app: FastifyInstance,
  url: string,
  notFound: string,
  read: (params: Record<string, string>, query: Record<string, string>) => Promise<unknown>,
): void {
  app.get<{ Params: Record<string, string>; Querystring: Record<string, string> }>(url, async (request) => {
    const found = await read(request.params, request.query);
    if (found === undefined) throw new BusinessError(notFound, `${notFound}: ${request.url}`, 404);
    return found;
  });
}

/**
 * A participant's TCC endpoints, `POST /tcc/:gid/branches/:branch/try|confirm|cancel`, each
 * idempotent on Idempotency-Key and run through the barrier by the given handlers.
 */
export function tccRoutes<S extends z.ZodType>(
  app: FastifyInstance,
  opts: { pool: Pool; schema: string; tryBody: S },
  handlers: {
    try: (client: PoolClient, branch: Branch, input: z.infer<S>) => Promise<unknown>;
    confirm: (client: PoolClient, branch: Branch) => Promise<unknown>;
    cancel: (client: PoolClient, branch: Branch) => Promise<unknown>;
  },
): void {
  const url = '/tcc/:gid/branches/:branch';
  const branch = (p: Record<string, string>): Branch => ({
    gid: parseInput(businessId, p.gid),
    branchId: parseInput(businessId, p.branch),
  });
  const base = { pool: opts.pool, schema: opts.schema };
  mutation(app, { ...base, url: `${url}/try`, body: opts.tryBody }, (c, input, p) => handlers.try(c, branch(p), input));
  mutation(app, { ...base, url: `${url}/confirm`, body: empty }, (c, _i, p) => handlers.confirm(c, branch(p)));
  mutation(app, { ...base, url: `${url}/cancel`, body: empty }, (c, _i, p) => handlers.cancel(c, branch(p)));
}
