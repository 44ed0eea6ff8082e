import { metricMeter } from '@temporalio/workflow';
import { abortStatuses, type AbortStatus, type SagaStatus } from './definitions';

/** How a saga names its metrics; `false` in SagaOptions turns them off. */
export interface SagaMetricsOptions {
  /** Prepended to every metric name with an underscore (e.g. `saga` → `saga_started`). */
  prefix: string;
}

type Counted = Exclude<SagaStatus, 'RUNNING' | 'COMPENSATING' | Exclude<AbortStatus, 'ABORTED'>> | 'STARTED';

const counted: Record<Counted, [suffix: string, description: string]> = {
  STARTED: ['started', 'sagas that began'],
  COMPLETED: ['completed', 'sagas that finished every step'],
  COMPENSATED: ['compensated', 'sagas that failed and were undone'],
  ABORTED: ['aborted', 'sagas that ended with a business outcome and were undone'],
  CANCELLED: ['cancelled', 'sagas cancelled and undone'],
  NEEDS_ATTENTION: ['needs_attention', 'times a saga began to wait for an operator'],
};

export interface SagaMetrics {
  /** Counts a saga entering `status` (or starting); statuses without a counter are ignored. */
  count(status: SagaStatus | 'STARTED'): void;
  step(step: string, outcome: 'done' | 'failed' | 'compensated', ms: number): void;
}

const isAbort = (status: string): status is AbortStatus => (abortStatuses as readonly string[]).includes(status);

/** The kind of a step, its metric label: the name up to its first `:`. */
export const stepKind = (step: string): string => step.split(':', 1)[0]!;

/**
 * The saga metrics, reported through the worker's meter (nothing is emitted while a history
 * replays), each named `<prefix>_<suffix>`:
 * - `_started`, `_completed`, `_compensated`, `_aborted`, `_cancelled`, `_needs_attention`
 *   (counters by `flow`; `_aborted` counts every business outcome, labelled `outcome`: ABORTED,
 *   REJECTED, WITHDRAWN or EXPIRED);
 * - `_step_duration` (histogram, milliseconds, by `flow`, `step` and `outcome`).
 * Labels come from closed sets only: a step named `<kind>:<instance>` (`hold-budget:acc-7`, one per
 * department) is measured as its kind (`hold-budget`), so business ids never become series.
 * With `false`, a no-op.
 */
export function sagaMetrics(flow: string, options: SagaMetricsOptions | false): SagaMetrics {
  if (options === false) return { count() {}, step() {} };
  const meter = metricMeter.withTags({ flow });
  const name = (suffix: string) => `${options.prefix}_${suffix}`;
  const counters = new Map(
    Object.entries(counted).map(([status, [suffix, description]]) => [
      status,
      meter.createCounter(name(suffix), 'sagas', description),
    ]),
  );
  const steps = meter.createHistogram(name('step_duration'), 'int', 'ms', 'time a step took, per attempt');
  return {
    count(status) {
      if (isAbort(status)) counters.get('ABORTED')?.add(1, { outcome: status });
      else counters.get(status)?.add(1);
    },
    step(step, outcome, ms) {
      steps.record(Math.max(0, Math.round(ms)), { step: stepKind(step), outcome });
    },
  };
}
