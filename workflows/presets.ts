import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Activity options, one preset per kind of side effect. Business refusals are non-retryable
 * ApplicationFailures and skip these retries; only transient faults use them.
 */
export const presets = {
  /** A forward call to a participant service: a few quick retries, then the step fails. */
  serviceCall: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 8 },
  },
  /** A compensation: retried with capped backoff and no attempt limit, because giving up leaks. */
  compensation: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '30 seconds' },
  },
} as const satisfies Record<string, ActivityOptions>;
