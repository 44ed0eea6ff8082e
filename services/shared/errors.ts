import { maxMinorUnits } from '../../contracts/fields';

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

/** The suffix of every CHECK constraint that holds a money or points column within `maxMinorUnits`. */
const boundSuffix = '_within_bound';

/**
 * The refusal for a write that failed a `*_within_bound` CHECK (the migrations' `*_money_bound.sql`):
 * a sum of accepted amounts (a balance, a budget, points) would pass the money bound. A 422
 * `AmountLimit` naming the column; undefined for any other error, which stays as it is.
 */
export function amountLimitRefusal(err: unknown): BusinessError | undefined {
  const { code, constraint } = (err ?? {}) as { code?: unknown; constraint?: unknown };
  if (code !== '23514' || typeof constraint !== 'string' || !constraint.endsWith(boundSuffix)) return undefined;
  const column = constraint.slice(0, -boundSuffix.length);
  return new BusinessError('AmountLimit', `${column} would pass ${maxMinorUnits}, the most one amount may hold`);
}
