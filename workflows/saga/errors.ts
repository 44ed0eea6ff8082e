import { outcomeUnknownMarker } from '../../contracts/saga';
import { ActivityFailure, ApplicationFailure, isCancellation, TemporalFailure } from '@temporalio/workflow';

/** The innermost message of a failure chain (an ActivityFailure wraps the activity's own error). */
export function describeError(err: unknown): string {
  if (isCancellation(err)) return 'cancelled';
  let current: unknown = err;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure && current.type) return `${current.type}: ${current.message}`;
  if (current instanceof TemporalFailure || current instanceof Error) return current.message || current.name;
  return String(current);
}

/**
 * True when a participant refused for a business reason (a non-retryable ApplicationFailure with
 * a type, e.g. OutOfStock): such a refusal comes from one all-or-nothing transaction, so nothing
 * was changed and nothing needs undoing.
 */
export function isBusinessRefusal(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (
    cause instanceof ApplicationFailure &&
    cause.nonRetryable === true &&
    typeof cause.type === 'string' &&
    cause.type !== '' &&
    !isOutcomeUnknown(cause)
  );
}

const unknownOutcome = outcomeUnknownMarker;

/**
 * A non-retryable failure after which the remote side may still have acted (a deadline passed while
 * its answer was awaited): unlike a refusal, the step it ends is compensated.
 */
export function outcomeUnknown(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [unknownOutcome] });
}

function isOutcomeUnknown(failure: ApplicationFailure): boolean {
  return failure.details?.[0] === unknownOutcome;
}
