import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { z } from 'zod';

/** Input refused at the edge, before any workflow starts; `fields` name each bad field and its rule. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly fields: { path: string; message: string }[]) {
    super(`invalid input: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`);
  }
}

/** Parses `value` or throws a ValidationError listing every failing field. */
export function validate<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.join('.') : '(input)', message: i.message })),
  );
}

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
