import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { requestHash } from '../contracts/request-hash';
import { AlreadyStarted } from './errors';

/**
 * Starts `workflowId` once per business key. The same key with the same input again (a retry, a
 * redelivered message) returns the existing run, open or closed: no second run starts, since the
 * idempotency keys of its calls derive from the workflow id and would replay the first run's
 * answers. The same key with another input is a conflict the caller must see: `AlreadyStarted`.
 * The input's hash is kept in the run's memo (`inputHash`) to tell the two apart. `workflowType`
 * comes from the flows registry; `W` (a type import) types the arguments and the result.
 */
export async function startOnce<W extends Workflow>(
  client: Client,
  workflowType: string,
  options: WorkflowStartOptions<W>,
): Promise<WorkflowHandle<W>> {
  // The business input only: the options (task queue, configured waits) may change between
  // deploys, and a retried start must still find its run.
  const inputHash = requestHash(options.args?.[0] ?? null);
  try {
    return await client.workflow.start<W>(workflowType, {
      ...options,
      memo: { ...options.memo, inputHash },
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const existing = client.workflow.getHandle<W>(options.workflowId);
    const { memo, runId, status } = await existing.describe();
    // Runs started before the hash was kept have none: they count as the same request. Runs of
    // earlier versions hashed input and options together: either hash names the same request.
    const theirs = memo?.inputHash;
    if (theirs !== undefined && theirs !== inputHash && theirs !== requestHash(options.args ?? [])) {
      throw new AlreadyStarted(options.workflowId, runId, status.name);
    }
    return existing;
  }
}
