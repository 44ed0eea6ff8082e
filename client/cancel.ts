import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { businessId } from '../contracts/fields';
import { closedRefusal, onOpenWorkflow, validate } from './errors';

/**
 * Asks a flow to cancel (NotFound when there is no such workflow, ActionRefused saying how it ended
 * when it has closed). A saga before its pivot
 * compensates what it did and ends CANCELLED; after the pivot it finishes forward.
 */
export async function cancelFlow(client: Client, workflowId: string): Promise<void> {
  const id = validate(z.object({ workflowId: businessId }), { workflowId }).workflowId;
  await onOpenWorkflow(client, id, async () => {
    const handle = client.workflow.getHandle(id);
    await handle.describe(); // an unknown id answers NotFound rather than nothing
    const closed = await closedRefusal(client, id); // the engine accepts a cancel of a closed run
    if (closed) throw closed;
    await handle.cancel();
  });
}
