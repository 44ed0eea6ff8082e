/**
 * The benchmark's workflow bundle: every workflow of the project, plus the engine floor and a
 * saga of any length, which exist only to be measured.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import { narratedActivities } from '../workflows/narration';
import { presets } from '../workflows/presets';
import { Saga } from '../workflows/saga';
import type { BenchActivities } from './activities';

export * from '../workflows';

const floor = proxyActivities<BenchActivities>(presets.serviceCall);

/**
 * (b) The engine floor: a plain Temporal workflow of `steps` activities that do nothing. When step
 * `failAt` refuses, the steps done are undone in reverse by as many no-ops, like a saga's unwind.
 */
export async function floorSaga(input: { steps: number; failAt?: number }): Promise<'COMPLETED' | 'COMPENSATED'> {
  const done: number[] = [];
  try {
    for (let step = 0; step < input.steps; step++) {
      await floor.noop({ step, fail: step === input.failAt });
      done.push(step);
    }
    return 'COMPLETED';
  } catch {
    for (const step of done.reverse()) await floor.noop({ step });
    return 'COMPENSATED';
  }
}

/**
 * A saga of `steps` real steps with our saga library, each reserving one unit of `sku` on the
 * inventory service (compensated by releasing it): how the cost grows with the length.
 */
export async function chainSaga(input: { sku: string; steps: number }): Promise<'COMPLETED'> {
  const act = narratedActivities(presets.serviceCall);
  const undo = narratedActivities(presets.compensation);
  const { workflowId } = workflowInfo();
  const plan = Array.from({ length: input.steps }, (_, i) => `reserve-${i}`);
  const saga = new Saga({ flowType: 'chainSaga', plan });
  await saga.run(async () => {
    for (const step of plan) {
      const reservationId = `${workflowId}:${step}`;
      await saga.step(
        step,
        () =>
          act.reserveStock({
            reservationId,
            items: [{ sku: input.sku, quantity: 1 }],
            idempotencyKey: `${workflowId}:${step}`,
          }),
        { compensate: () => undo.releaseStock({ reservationId, idempotencyKey: `${workflowId}:${step}:undo` }) },
      );
    }
  });
  return 'COMPLETED';
}
