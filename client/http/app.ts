import type { Client } from '@temporalio/client';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { approvalInput, type RoutingConfig } from '../../domain/approval';
import { businessId } from '../../domain/fields';
import type { RefundOptions } from '../../workflows';
import { approvalActions, approvalState, startApproval } from '../approval';
import { ActionRefused, NotFound, validate, ValidationError } from '../errors';
import { refundState, startRefund } from '../refund';

export interface ApiOptions {
  client: Client;
  taskQueue: string;
  logger: Logger;
  /** Refunds: the approval threshold, routing and timers (from configuration). */
  refunds: RefundOptions;
  /** Approvals started over HTTP: the configured routing and timers; callers cannot choose them. */
  approvals: { routing: RoutingConfig; slaPerLevelMs: number; deadlineMs: number };
}

const approvalRequest = approvalInput.omit({ routing: true, slaPerLevelMs: true, deadlineMs: true });
const actions = ['approve', 'reject', 'delegate', 'comment', 'withdraw'] as const;

/**
 * The HTTP API for services in other languages: the same operations as the typed client, with the
 * same validation. Errors are `{ error: { type, message, fields? } }`: 400 bad input (each field
 * named), 404 unknown workflow, 409 an action the workflow refused (nothing recorded).
 *
 * - `POST /refunds` (202; the same refund id again answers the same run), `GET /refunds/:id`
 * - `POST /approvals` (202), `GET /approvals/:id`, `POST /approvals/:id/approve|reject|delegate|comment|withdraw`
 */
export function buildApiApp(opts: ApiOptions): FastifyInstance {
  const loggerInstance: FastifyBaseLogger = opts.logger.child({ part: 'api' });
  const app = Fastify({ loggerInstance, disableRequestLogging: true });
  const { client, taskQueue } = opts;
  const id = (params: unknown) => validate(z.object({ id: businessId }), params).id;

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof ValidationError) {
      return reply.status(400).send({ error: { type: 'InvalidRequest', message: err.message, fields: err.fields } });
    }
    if (err instanceof NotFound) return reply.status(404).send({ error: { type: 'NotFound', message: err.message } });
    if (err instanceof ActionRefused) {
      return reply.status(409).send({ error: { type: 'ActionRefused', message: err.message } });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      return reply.status(status).send({ error: { type: 'InvalidRequest', message: (err as Error).message } });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: { type: 'InternalError', message: 'internal error' } });
  });

  app.get('/health', () => ({ status: 'ok', part: 'api' }));

  app.post('/refunds', async (request, reply) => {
    const handle = await startRefund(client, request.body as never, { taskQueue, options: opts.refunds });
    const { runId } = await handle.describe();
    return reply.status(202).send({ workflowId: handle.workflowId, runId });
  });
  app.get('/refunds/:id', (request) => refundState(client, id(request.params)));

  app.post('/approvals', async (request, reply) => {
    const body = validate(approvalRequest, request.body);
    const handle = await startApproval(client, { ...body, ...opts.approvals }, { taskQueue });
    const { runId } = await handle.describe();
    return reply.status(202).send({ workflowId: handle.workflowId, runId });
  });
  app.get('/approvals/:id', (request) => approvalState(client, id(request.params)));
  app.post('/approvals/:id/:action', (request) => {
    const { id: requestId, action } = validate(
      z.object({ id: businessId, action: z.enum(actions, { error: `must be one of ${actions.join(', ')}` }) }),
      request.params,
    );
    return approvalActions[action](client, requestId, request.body ?? {});
  });
  return app;
}
