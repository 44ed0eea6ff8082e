import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowState } from '../../activities/workflow-state';
import { paymentEventSignal } from '../../workflows/payment-channel';
import type { DeliverEvent } from '../../services/billing/callbacks';

/** Flows that wait for the gateway, by the workflow id prefix it echoes back as `reference`. */
const chargingFlows = /^(payment|checkout|flash|refund):/;

/**
 * Delivers gateway events to their workflow as the `paymentEvent` signal. A workflow that has
 * closed, or never existed, makes the event an orphan (answered, not thrown), for reconciliation.
 */
export function temporalDelivery(client: Client): DeliverEvent {
  return async (reference, event) => {
    if (!chargingFlows.test(reference)) return 'workflow-not-found';
    const handle = client.workflow.getHandle(reference);
    try {
      await handle.signal(paymentEventSignal, event);
      return 'signalled';
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // Signalling a closed run also answers "not found": tell the two apart for the report.
      return (await workflowState(client, reference)) === 'not-found' ? 'workflow-not-found' : 'workflow-closed';
    }
  };
}

/** For a stack without Temporal (service tests, benchmarks): every callback is kept as an orphan. */
export const keepAsOrphans: DeliverEvent = () => Promise.resolve('workflow-not-found');
