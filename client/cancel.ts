import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { businessId } from '../contracts/fields';
import { onWorkflow, validate } from './errors';

/**
 * Asks a flow to cancel (NotFound when there is no such workflow). A saga before its pivot
 * compensates what it did and ends CANCELLED; after the pivot it finishes forward.
 */
export async function cancelFlow(client: Client, workflowId: string): Promise<void> {
  const id = validate(z.object({ workflowId: businessId }), { workflowId }).workflowId;
  await onWorkflow(id, async () => {
    const handle = client.workflow.getHandle(id);
    await handle.describe(); // an unknown id answers NotFound rather than nothing
    await handle.cancel();
  });
}
