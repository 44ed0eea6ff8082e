/**
 * A refusal the caller must not retry: the HTTP layer answers 422 with `{ error: { type, message } }`
 * and activities turn it into a non-retryable ApplicationFailure of the same type. Thrown inside an
 * idempotent mutation, it is stored as that key's answer.
 */
export class BusinessError extends Error {
  override readonly name = 'BusinessError';
  constructor(
    readonly type: string,
    message: string,
    readonly status = 422,
  ) {
    super(message);
  }
}

/**
 * A fault that may pass (a dependency unreachable, a resource busy): the HTTP layer answers 503
 * with `{ error: { type, message } }`, callers retry. Never stored as an idempotent answer: the
 * transaction rolls back, so the retry starts clean.
 */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}
