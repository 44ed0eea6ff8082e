import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FlowRunState } from '../contracts/flows';

/** Whether a workflow runs, completed, closed otherwise (failed, cancelled, terminated) or never was. */
export type WorkflowState = FlowRunState;

/** Asks Temporal what became of `workflowId`; throws only when Temporal cannot be reached. */
export async function workflowState(client: Client, workflowId: string): Promise<WorkflowState> {
  try {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    return status.name === 'RUNNING' ? 'running' : status.name === 'COMPLETED' ? 'completed' : 'closed';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'not-found';
    throw err;
  }
}
