import { isGrpcServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { SagaStatus } from '../contracts/search-attributes';

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

/** The gRPC status code of a server error, on the error itself or its cause. */
function grpcCode(err: unknown): number | undefined {
  const cause = err instanceof Error ? err.cause : undefined;
  const grpc = isGrpcServiceError(err) ? err : isGrpcServiceError(cause) ? cause : undefined;
  return grpc === undefined ? undefined : Number(grpc.code);
}

const grpcNotFound = 5;
const grpcCancelled = 1;
const grpcDeadlineExceeded = 4;

/** No worker answered a query within its deadline: none polls the task queue, or all are busy. */
export class Unanswered extends Error {
  override readonly name = 'Unanswered';
  constructor(
    readonly workflowId: string,
    readonly deadlineMs: number,
  ) {
    super(
      `no worker answered for ${workflowId} within ${deadlineMs / 1000} s: is a worker running on its task queue? (try again)`,
    );
  }
}

/** Runs a query with a deadline; one that runs out is Unanswered rather than a gRPC status. */
export async function queryWithin<T>(
  client: Client,
  workflowId: string,
  deadlineMs: number,
  query: () => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  try {
    return await client.connection.withDeadline(deadline, query);
  } catch (err) {
    const code = grpcCode(err);
    if ((code === grpcDeadlineExceeded || code === grpcCancelled) && Date.now() >= deadline) {
      throw new Unanswered(workflowId, deadlineMs);
    }
    throw err;
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
    // Some calls (fetching a history) answer an unknown id with the bare gRPC status.
    if (grpcCode(err) === grpcNotFound) throw new NotFound(workflowId);
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = (err.cause as { message?: string } | undefined)?.message ?? err.message;
      throw new ActionRefused(workflowId, reason);
    }
    throw err;
  }
}

/**
 * Runs an update (or a signal) on one workflow like `onWorkflow`, and tells a closed run from a
 * missing one: the engine answers "not found" to an update on a closed run, so on NotFound the run is
 * described, and a run that exists is an ActionRefused saying that it is closed, how it ended and
 * when (`payment:o-1 is closed: it COMPLETED (PAID) at 2026-12-02T01:00:00.000Z`).
 */
export async function onOpenWorkflow<T>(client: Client, workflowId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await onWorkflow(workflowId, call);
  } catch (err) {
    if (!(err instanceof NotFound)) throw err;
    throw (await closedRefusal(client, workflowId)) ?? err;
  }
}

/** An ActionRefused saying how a closed run ended, or undefined when it runs (or does not exist). */
export async function closedRefusal(client: Client, workflowId: string): Promise<ActionRefused | undefined> {
  const closed = await client.workflow
    .getHandle(workflowId)
    .describe()
    .catch(() => undefined);
  if (closed === undefined || closed.status.name === 'RUNNING') return undefined;
  const business = closed.typedSearchAttributes.get(SagaStatus);
  const at = closed.closeTime ? ` at ${closed.closeTime.toISOString()}` : '';
  return new ActionRefused(
    workflowId,
    `${workflowId} is closed: it ${closed.status.name}${business ? ` (${business})` : ''}${at}`,
  );
}
