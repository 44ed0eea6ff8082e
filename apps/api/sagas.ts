import type { Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actor } from '../../contracts/approval';
import { businessId, derivedId } from '../../contracts/fields';
import { flowOfWorkflowId, flows } from '../../contracts/flows';
import { cancelFlow } from '../../client/cancel';
import { onWorkflow, validate, ValidationError } from '../../client/errors';
import { listFilter, listSagas, type SagaSummary } from '../../client/list';
import { operatorAction, retryStep, sagaState, skipAction, skipStep } from '../../client/saga';
import type { ApiScope } from '../../config/api-clients';
import type { SagaView } from './schemas';

/** The sagas read by business id: the route's first segment and the flow whose id it names. */
export const sagaReads = {
  payments: { flow: flows.paymentSaga, param: 'orderId' },
  checkouts: { flow: flows.checkout, param: 'orderId' },
  'flash-sales': { flow: flows.flashSalePurchase, param: 'orderId' },
} as const;

/** The flows an operator may retry, skip or cancel over HTTP: those with the saga's updates. */
export const operableFlows = Object.values(flows).filter((f) => 'retry' in f.updates);
const operable = `must be the workflow id of a saga (${operableFlows.map((f) => `${f.prefix}:…`).join(', ')})`;

/** The list's query string: the client's filter (`status`, `flow`, `orderId`, `limit`), strict. */
export const sagaListQuery = listFilter;

/** The saga a retry, skip or cancel names (400 naming `workflowId` for another flow's id). */
function operableId(params: unknown): string {
  const { workflowId } = validate(z.object({ workflowId: derivedId }), params);
  const flow = flowOfWorkflowId(workflowId);
  if (!operableFlows.some((f) => f === flow)) throw new ValidationError([{ path: 'workflowId', message: operable }]);
  return workflowId;
}

/** What a retry, skip or cancel may carry: `by`, when given, must be the calling service. */
export const retryBody = operatorAction.extend({ by: actor.optional() }).strict();
export const skipBody = skipAction.extend({ by: actor.optional() }).strict();
export const cancelBody = z.object({ by: actor.optional(), reason: z.string().trim().max(2000).optional() }).strict();

type Once = (
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  work: (key: string | undefined) => Promise<unknown>,
) => Promise<FastifyReply>;

/**
 * A run's status and timeline (NotFound for an unknown id). A running saga is asked through a
 * worker (Unanswered when none answers); a closed one answers without the timeline when no
 * worker replays it within 3 s.
 */
async function sagaView(client: Client, workflowId: string): Promise<SagaView> {
  return onWorkflow(workflowId, async () => {
    const { runId, status } = await client.workflow.getHandle(workflowId).describe();
    const saga =
      status.name === 'RUNNING'
        ? await sagaState(client, workflowId)
        : await sagaState(client, workflowId, { deadlineMs: 3000 }).catch(() => undefined);
    return { workflowId, runId, status: status.name, ...(saga ? { saga } : {}) };
  });
}

/**
 * Sagas by the filter, newest first; without a status filter those in NEEDS_ATTENTION come first
 * (an operator's queue), then the others.
 */
async function listAttentionFirst(client: Client, filter: z.output<typeof listFilter>): Promise<SagaSummary[]> {
  if (filter.status !== undefined) return listSagas(client, filter);
  const attention = await listSagas(client, { ...filter, status: 'NEEDS_ATTENTION' });
  const seen = new Set(attention.map((s) => s.runId));
  const rest = (await listSagas(client, { ...filter, limit: filter.limit + attention.length })).filter(
    (s) => !seen.has(s.runId),
  );
  // Stable: a saga that reached NEEDS_ATTENTION between the two reads still moves up.
  const rank = (s: SagaSummary) => (s.sagaStatus === 'NEEDS_ATTENTION' ? 0 : 1);
  return [...attention, ...rest].sort((a, b) => rank(a) - rank(b)).slice(0, filter.limit);
}

/** The calling service, as who acts: a `by` in the body may only repeat it. */
function actingAs(caller: string, by: string | undefined): string {
  if (by === undefined || by === caller) return caller;
  throw new ValidationError([{ path: 'by', message: `must be the calling service (${caller}) or left out` }]);
}

/**
 * The saga routes: reading a payment, checkout or flash-sale saga by its order, listing sagas, and
 * the operator's retry, skip and cancel, recorded with the calling service as who acted.
 */
export function sagaRoutes(
  app: FastifyInstance,
  client: Client,
  once: Once,
  scope: (s: ApiScope) => { config: { scope: ApiScope } },
): void {
  for (const [segment, { flow, param }] of Object.entries(sagaReads)) {
    app.get(`/${segment}/:${param}`, scope('sagas:read'), (request) => {
      const key = validate(z.object({ [param]: businessId }), request.params)[param];
      return sagaView(client, flow.id(key));
    });
  }
  app.get('/sagas', scope('sagas:read'), async (request) => {
    const known = Object.keys(sagaListQuery.shape);
    const unknown = Object.keys(request.query as object).filter((k) => !known.includes(k));
    if (unknown.length > 0) {
      const message = `is not a filter: use ${known.join(', ')}`;
      throw new ValidationError(
        unknown.map((path) => ({ path, message })),
        'query',
      );
    }
    const filter = validate(sagaListQuery, request.query, 'query', '(query)');
    return { sagas: await listAttentionFirst(client, filter) };
  });

  const decide = (action: 'retry' | 'skip') => (request: FastifyRequest, reply: FastifyReply) => {
    const workflowId = operableId(request.params);
    const body = validate(action === 'retry' ? retryBody : skipBody, request.body ?? {});
    const by = actingAs(request.caller!, body.by);
    // The key is also the update's id, as for approval actions: a lost answer's retry applies once.
    return once(request, reply, 200, async (key) => {
      const opts = key === undefined ? {} : { updateId: key };
      const state =
        action === 'retry'
          ? await retryStep(client, workflowId, { ...body, by }, opts)
          : await skipStep(client, workflowId, { ...body, by }, opts);
      request.log.info({ workflowId, action, by, step: body.step }, 'operator action');
      return state;
    });
  };
  app.post('/sagas/:workflowId/retry', scope('sagas:operate'), decide('retry'));
  app.post('/sagas/:workflowId/skip', scope('sagas:operate'), decide('skip'));
  app.post('/sagas/:workflowId/cancel', scope('sagas:operate'), (request, reply) => {
    const workflowId = operableId(request.params);
    const body = validate(cancelBody, request.body ?? {});
    const by = actingAs(request.caller!, body.by);
    return once(request, reply, 202, async (key) => {
      await cancelFlow(client, workflowId, {
        by,
        ...(body.reason ? { reason: body.reason } : {}),
        ...(key === undefined ? {} : { requestId: key }),
      });
      request.log.info({ workflowId, action: 'cancel', by }, 'operator action');
      return { workflowId, cancelRequested: true };
    });
  });
}
