import type { Client, WorkflowHandle } from '@temporalio/client';
import { refundInput, type RefundInput, type RefundResult } from '../contracts/refund';
import { flows } from '../contracts/flows';
import { AmountCents, FlowType, OrderId } from '../contracts/search-attributes';
import type { refundSaga, RefundOptions, SagaState } from '../workflows';
import { onWorkflow, validate } from './errors';
import { runOptions, type StartOptions } from './options';
import { sagaState } from './saga';
import { startOnce } from './start';

const flow = flows.refundSaga;
export const refundWorkflowId = flow.id;

/**
 * Starts the refund saga `refund:<refundId>` after validating the input and the options
 * (ValidationError names each bad field or unknown option; nothing starts). Whether it waits for an
 * approval is the worker's configured policy: no option sets or lowers the threshold. The same
 * refund id again returns the existing run: one refund.
 */
export async function startRefund(
  client: Client,
  input: RefundInput,
  opts: StartOptions & { options?: RefundOptions },
): Promise<WorkflowHandle<typeof refundSaga>> {
  const valid = validate(refundInput, input);
  const options = validate(runOptions.omit({ parallelUnwind: true }), opts.options ?? {}, 'options', '(options)');
  const payment = options.payment ?? opts.payment;
  return startOnce<typeof refundSaga>(client, flow.type, {
    taskQueue: opts.taskQueue,
    workflowId: flow.id(valid.refundId),
    args: [valid, { ...options, ...(payment ? { payment } : {}) }],
    typedSearchAttributes: [
      { key: FlowType, value: flow.type },
      { key: OrderId, value: valid.orderId },
      { key: AmountCents, value: valid.amountCents },
    ],
    staticSummary: `Refund ${valid.amountCents} cents of order ${valid.orderId}`,
  });
}

export interface RefundView {
  refundId: string;
  /** The workflow's status: RUNNING, COMPLETED, FAILED, ... */
  status: string;
  /** The step timeline; left out for a closed refund when no worker is there to answer the query. */
  saga?: SagaState;
  result?: RefundResult;
  failure?: string;
}

/** Where a refund stands (NotFound for an unknown refund id). */
export async function refundState(client: Client, refundId: string): Promise<RefundView> {
  const workflowId = refundWorkflowId(refundId);
  return onWorkflow(workflowId, async () => {
    const handle = client.workflow.getHandle<typeof refundSaga>(workflowId);
    const { status } = await handle.describe();
    // A closed run is queried through a worker replaying it; when none answers soon, its result
    // below still says what happened.
    const saga =
      status.name === 'RUNNING'
        ? await sagaState(client, workflowId)
        : await sagaState(client, workflowId, { deadlineMs: 3000 }).catch(() => undefined);
    const view: RefundView = { refundId, status: status.name, ...(saga ? { saga } : {}) };
    if (status.name === 'COMPLETED') view.result = await handle.result();
    if (status.name === 'FAILED')
      view.failure = await handle.result().then(
        () => undefined,
        (e: Error) => (e.cause as Error | undefined)?.message ?? e.message,
      );
    return view;
  });
}
