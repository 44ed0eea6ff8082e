import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';

// The one refusal of bad input at every edge: the API answers it with 400, the CLI exits 2.
export { ValidationError, parseOrThrow as validate } from '../contracts/validation';

/** No workflow for that business key. */
export class NotFound extends Error {
  override readonly name = 'NotFound';
  constructor(readonly workflowId: string) {
    super(`no workflow ${workflowId}`);
  }
}

/**
 * A run for this business key exists (open or closed) and was started with another input: nothing
 * new started. Start with a new business key, or look at the existing run.
 */
export class AlreadyStarted extends Error {
  override readonly name = 'AlreadyStarted';
  constructor(
    readonly workflowId: string,
    readonly runId: string,
    readonly status: string,
  ) {
    super(`${workflowId} was already started with another input (run ${runId}, ${status})`);
  }
}

/**
 * A workflow refused an action in its update validator (not the current approver, already decided,
 * ...): nothing was recorded in its history. `message` is the workflow's reason.
 */
export class ActionRefused extends Error {
  override readonly name = 'ActionRefused';
  constructor(
    readonly workflowId: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The flash-sale gate could not answer (Redis away, the inventory service unreachable): nothing
 * was decided; try the same order again in a moment (the HTTP API answers 503 `GateUnavailable`).
 */
export class GateUnavailable extends Error {
  override readonly name = 'GateUnavailable';
}

/**
 * Runs a call against one workflow and turns Temporal's errors into ours: NotFound for an unknown
 * workflow id, ActionRefused for an update its validator refused.
 */
export async function onWorkflow<T>(workflowId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new NotFound(workflowId);
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = (err.cause as { message?: string } | undefined)?.message ?? err.message;
      throw new ActionRefused(workflowId, reason);
    }
    throw err;
  }
}
