/**
 * The HTTP half of the retry rule (the database half is `services/shared/retryable.ts`): activities
 * use it to decide between a plain (retried) error and a non-retryable ApplicationFailure.
 */

/** 5xx, 408 and 429 are transient: the same request may succeed later. Other 4xx are final. */
export function retryableHttpStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
