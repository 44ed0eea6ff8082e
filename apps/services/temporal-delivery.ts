import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowState } from '../../activities/workflow-state';
import { paymentEventSignal } from '../../contracts/payment-channel';
import type { DeliverEvent } from '../../services/billing/callbacks';
import { awaitsGateway } from '../../contracts/flows';

/**
 * Delivers gateway events to their workflow as the `paymentEvent` signal. A workflow that has
 * closed, or never existed, makes the event an orphan (answered, not thrown), for reconciliation.
 */
export function temporalDelivery(client: Client): DeliverEvent {
  return async (reference, event) => {
    // Only a flow that waits for the gateway is signalled; any other reference is kept as an orphan.
    if (!awaitsGateway(reference)) return 'workflow-not-found';
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
