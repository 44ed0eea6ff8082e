import type { WorkerPolicy } from '../activities/policy';
import type { StartOptions } from '../client/options';
import type { AppConfig } from '../config';

/**
 * What every start call of a process gets from its configuration (the API, the CLI): the task
 * queue and the configured payment waits, built here once so no flow's start forgets them.
 */
export function startOptions(config: Pick<AppConfig, 'temporal' | 'payment'>): StartOptions {
  return { taskQueue: config.temporal.taskQueue, payment: config.payment };
}

/** The rules the worker hands its workflows from the configuration: the refund approval policy. */
export function workerPolicy(config: Pick<AppConfig, 'refunds'>): WorkerPolicy {
  const { approvalThresholdCents, routing, approvalSlaPerLevelMs, approvalDeadlineMs } = config.refunds;
  return { refund: { approvalThresholdCents, routing, approvalSlaPerLevelMs, approvalDeadlineMs } };
}
