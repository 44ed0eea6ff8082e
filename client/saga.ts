import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { actor } from '../contracts/approval';
import { derivedId } from '../contracts/fields';
import { retryUpdate, sagaStateQuery, skipUpdate, type SagaState } from '../contracts/saga';
import { onOpenWorkflow, onWorkflow, queryWithin, validate } from './errors';

// Up to the longest derived id: a refund saga's `refund:<refundId>` is longer than any id a caller gives.
const workflowIdOf = (workflowId: string) => validate(z.object({ workflowId: derivedId }), { workflowId }).workflowId;

/**
 * A saga's step timeline, from its `sagaState` query (NotFound for an unknown workflow id). A worker
 * answers by replaying the run; when none does within `deadlineMs` the call fails (Unanswered) rather
 * than hang.
 */
export async function sagaState(
  client: Client,
  workflowId: string,
  opts: { deadlineMs?: number } = {},
): Promise<SagaState> {
  const id = workflowIdOf(workflowId);
  return onWorkflow(id, () =>
    queryWithin(client, id, opts.deadlineMs ?? 10_000, () => client.workflow.getHandle(id).query(sagaStateQuery)),
  );
}

/** What a retry takes: who decides, and the step when more than one waits. */
export const operatorAction = z.object({ by: actor, step: z.string().min(1).max(100).optional() }).strict();
/** What a skip takes: a retry's fields and why. */
export const skipAction = operatorAction
  .extend({ reason: z.string().trim().min(1, 'must say why').max(2000) })
  .strict();

/**
 * Runs a step (or compensation) a saga waits on in NEEDS_ATTENTION again, with a fresh budget.
 * `step` may be left out when only one waits. A saga not waiting there refuses (ActionRefused), as
 * does a closed one, saying how it ended.
 * Answers the new timeline. The same `updateId` again on the same run is the same decision: the
 * engine answers its first outcome and applies it once.
 */
export async function retryStep(
  client: Client,
  workflowId: string,
  action: unknown,
  opts: { updateId?: string } = {},
): Promise<SagaState> {
  const id = workflowIdOf(workflowId);
  const args = [validate(operatorAction, action)] as const;
  return onOpenWorkflow(client, id, () =>
    client.workflow.getHandle(id).executeUpdate(retryUpdate, { args: [...args], ...opts }),
  );
}

/** Gives up on a step a saga waits on, recording who and why, and lets the saga carry on (`updateId` as for retry). */
export async function skipStep(
  client: Client,
  workflowId: string,
  action: unknown,
  opts: { updateId?: string } = {},
): Promise<SagaState> {
  const id = workflowIdOf(workflowId);
  const args = [validate(skipAction, action)] as const;
  return onOpenWorkflow(client, id, () =>
    client.workflow.getHandle(id).executeUpdate(skipUpdate, { args: [...args], ...opts }),
  );
}
