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
  /**
   * A compensation: a few quick retries here; the saga keeps calling it with its own capped backoff
   * and, past its budget, waits in NEEDS_ATTENTION. Giving up silently would leak.
   */
  compensation: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '500 ms', backoffCoefficient: 2, maximumInterval: '10 seconds', maximumAttempts: 5 },
  },
  /**
   * A read that may take minutes (reconciliation gathering a window): it heartbeats, so a stuck or
   * lost worker is noticed within the heartbeat timeout, and it is retried from scratch.
   */
  longRead: {
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: '1 minute',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
  },
} as const satisfies Record<string, ActivityOptions>;
