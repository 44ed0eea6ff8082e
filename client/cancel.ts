import type { Client } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { derivedId } from '../contracts/fields';
import { closedRefusal, onOpenWorkflow, validate } from './errors';

/**
 * Asks a flow to cancel (NotFound when there is no such workflow, ActionRefused saying how it ended
 * when it has closed). A saga before its pivot
 * compensates what it did and ends CANCELLED; after the pivot it finishes forward.
 *
 * The run's history records the request (`WorkflowExecutionCancelRequested`) with `by` as its
 * identity and `reason` as its cause; without `by`, the client's own identity. The same `requestId`
 * again is the same request.
 */
export async function cancelFlow(
  client: Client,
  workflowId: string,
  opts: { by?: string; reason?: string; requestId?: string } = {},
): Promise<void> {
  const id = validate(z.object({ workflowId: derivedId }), { workflowId }).workflowId;
  await onOpenWorkflow(client, id, async () => {
    const handle = client.workflow.getHandle(id);
    await handle.describe(); // an unknown id answers NotFound rather than nothing
    const closed = await closedRefusal(client, id); // the engine accepts a cancel of a closed run
    if (closed) throw closed;
    if (opts.by === undefined && opts.reason === undefined && opts.requestId === undefined) {
      await handle.cancel();
      return;
    }
    // The handle's cancel sends neither who nor why: ask the service directly to record them.
    await client.workflowService.requestCancelWorkflowExecution({
      namespace: client.options.namespace,
      workflowExecution: { workflowId: id },
      identity: opts.by ?? client.options.identity,
      reason: opts.reason ?? '',
      requestId: opts.requestId ?? randomUUID(),
    });
  });
}
