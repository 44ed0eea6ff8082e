import { metricMeter } from '@temporalio/workflow';
import type { SagaStatus } from './definitions';

/**
 * The saga metrics every flow reports through the worker's meter (Prometheus when the worker is
 * configured so; nothing is emitted while a history replays):
 * - `saga_started`, `saga_completed`, `saga_compensated`, `saga_cancelled`, `saga_needs_attention`
 *   (counters by `flow`);
 * - `saga_step_duration` (histogram, milliseconds, by `flow`, `step` and `outcome`).
 */
export function sagaMetrics(flow: string) {
  const meter = metricMeter.withTags({ flow });
  const counters: Partial<Record<SagaStatus | 'STARTED', ReturnType<typeof meter.createCounter>>> = {
    STARTED: meter.createCounter('saga_started', 'sagas', 'sagas that began'),
    COMPLETED: meter.createCounter('saga_completed', 'sagas', 'sagas that finished every step'),
    COMPENSATED: meter.createCounter('saga_compensated', 'sagas', 'sagas that failed and were undone'),
    CANCELLED: meter.createCounter('saga_cancelled', 'sagas', 'sagas cancelled and undone'),
    NEEDS_ATTENTION: meter.createCounter('saga_needs_attention', 'sagas', 'times a saga began to wait for an operator'),
  };
  const steps = meter.createHistogram('saga_step_duration', 'int', 'ms', 'time a step took, per attempt');
  return {
    /** Counts a saga entering `status` (or starting). */
    count(status: SagaStatus | 'STARTED'): void {
      counters[status]?.add(1);
    },
    step(step: string, outcome: 'done' | 'failed' | 'compensated', ms: number): void {
      steps.record(Math.max(0, Math.round(ms)), { step, outcome });
    },
  };
}
