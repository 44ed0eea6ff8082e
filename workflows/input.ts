import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { describeFields, fieldErrors } from '../contracts/validation';

/**
 * A workflow's input, parsed with its schema: the one way every flow reads its arguments. A bad
 * one fails the run at once, before any step, with a non-retryable `InvalidInput` ApplicationFailure
 * worded as at every other edge: `invalid <what> input: <path>: <rule>; ...`.
 */
export function parseWorkflowInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw invalidInput(what, describeFields(fieldErrors(parsed.error)));
}

/** The `InvalidInput` failure for a rule no schema can state (e.g. a routing that names no approver). */
export function invalidInput(what: string, detail: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`invalid ${what} input: ${detail}`, 'InvalidInput');
}
