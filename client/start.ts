import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * Starts `workflowId` once per business key: while a run is open the existing one is returned
 * (USE_EXISTING), and after it closed no second run starts (REJECT_DUPLICATE) — its handle is
 * returned instead. Idempotency keys derive from the workflow id, so a second run would replay the
 * first run's stored answers; this is what rules it out.
 */
export async function startOnce<W extends Workflow>(
  client: Client,
  workflow: W,
  options: WorkflowStartOptions<W>,
): Promise<WorkflowHandle<W>> {
  try {
    return await client.workflow.start(workflow, {
      ...options,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle<W>(options.workflowId);
    throw err;
  }
}
