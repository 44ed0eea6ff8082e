import type { Client, WorkflowHandle } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { z } from 'zod';
import {
  approvalInput,
  approveAction,
  commentAction,
  delegateAction,
  rejectAction,
  route,
  withdrawAction,
  type ApprovalInput,
  type ApprovalState,
} from '../contracts/approval';
import { flows } from '../contracts/flows';
import { AmountCents, FlowType } from '../contracts/search-attributes';
import type { approvalFlow } from '../workflows';
import { onOpenWorkflow, onWorkflow, validate, ValidationError } from './errors';
import type { StartOptions } from './options';
import { startOnce } from './start';

const flow = flows.approvalFlow;
const { approve, reject, delegate, comment, withdraw } = flow.updates;
export const approvalWorkflowId = flow.id;

/**
 * Starts `approval:<requestId>` after validating the input and its routing (a ValidationError names
 * each bad field, or a department without an approver for a role it needs; nothing starts). The
 * same request id again returns the existing run.
 */
export async function startApproval(
  client: Client,
  input: ApprovalInput,
  opts: StartOptions,
): Promise<WorkflowHandle<typeof approvalFlow>> {
  const valid = validate(approvalInput, input);
  try {
    route(valid.routing, valid.amountCents, valid.department);
  } catch (err) {
    throw new ValidationError([{ path: 'department', message: (err as Error).message }]);
  }
  return startOnce<typeof approvalFlow>(client, flow.type, {
    taskQueue: opts.taskQueue,
    workflowId: approvalWorkflowId(valid.requestId),
    args: [valid],
    typedSearchAttributes: [
      { key: FlowType, value: flow.type },
      { key: AmountCents, value: valid.amountCents },
    ],
    staticSummary: `${valid.kind} by ${valid.requester} (${valid.department}): ${valid.description.slice(0, 100)}`,
  });
}

const handle = (client: Client, requestId: string) => client.workflow.getHandle(approvalWorkflowId(requestId));

/** Where a request stands: levels, current approver, the audit trail (NotFound when unknown). */
export function approvalState(client: Client, requestId: string): Promise<ApprovalState> {
  return onWorkflow(approvalWorkflowId(requestId), () => handle(client, requestId).query(flow.queries.approvalState));
}

/**
 * The actions on a request. Each validates its payload (ValidationError), then runs as a Temporal
 * update whose validator refuses an actor who may not act or a request already decided
 * (ActionRefused; nothing enters the history), as is an action on a closed request. Answers the new state. The same `updateId` again
 * on the same run is the same action: the engine answers its first outcome and applies it once.
 */
function action<A>(update: UpdateDefinition<ApprovalState, [A]>, schema: z.ZodType<A>) {
  return (
    client: Client,
    requestId: string,
    payload: unknown,
    opts: { updateId?: string } = {},
  ): Promise<ApprovalState> => {
    const args: [A] = [validate(schema, payload)];
    const workflowId = approvalWorkflowId(requestId);
    return onOpenWorkflow(client, workflowId, () => handle(client, requestId).executeUpdate(update, { args, ...opts }));
  };
}

export const approvalActions = {
  approve: action(approve, approveAction),
  reject: action(reject, rejectAction),
  delegate: action(delegate, delegateAction),
  comment: action(comment, commentAction),
  withdraw: action(withdraw, withdrawAction),
};
export type ApprovalAction = keyof typeof approvalActions;
