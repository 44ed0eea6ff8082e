/**
 * A refusal the caller must not retry: the HTTP layer answers 422 with `{ error: { type, message } }`
 * and activities turn it into a non-retryable ApplicationFailure of the same type.
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

/** Bad request: 400 with the failing fields, each `{ path, message }`. */
export class ValidationError extends BusinessError {
  constructor(readonly fields: { path: string; message: string }[]) {
    super('InvalidRequest', fields.map((f) => `${f.path}: ${f.message}`).join('; '), 400);
  }
}
