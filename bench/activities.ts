import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';

/** The engine floor's activity: does nothing, or refuses when told to (the floor's "decline"). */
export function createBenchActivities() {
  return {
    noop(input: { step: number; fail?: boolean }): Promise<number> {
      if (input.fail)
        return Promise.reject(ApplicationFailure.nonRetryable(`step ${input.step} refused`, 'BenchRefusal'));
      return Promise.resolve(input.step);
    },
  };
}

export type BenchActivities = ReturnType<typeof createBenchActivities>;

/** The entry of the benchmark's workflow bundle. */
export const benchWorkflowsPath = fileURLToPath(new URL('./workflows.ts', import.meta.url));
