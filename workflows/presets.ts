import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Activity options, one preset per kind of side effect. Business refusals are non-retryable
 * ApplicationFailures and skip these retries; only transient faults use them.
 */
export const presets = {
  /**
   * A forward call of a flow without an order deadline (refunds, approvals, reconciliation): a few
   * quick retries (about 16 s), then the step fails.
   */
  serviceCall: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '5 seconds', maximumAttempts: 8 },
  },
  /**
   * A call of an order flow (paymentSaga, checkout, flash sale): a transient fault (connection
   * refused, a timeout, 5xx) is retried with no attempt limit, backing off to at most 10 s, so an
   * outage is never mistaken for a refusal. The flow bounds it: before the pivot the step races the
   * order's unpaid deadline (`PaymentChannel.beforeDeadline`); after it the saga only goes forward.
   * A refusal (a non-retryable ApplicationFailure, any 4xx business error) fails it at once.
   */
  untilDeadline: {
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '200 ms', backoffCoefficient: 2, maximumInterval: '10 seconds' },
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
