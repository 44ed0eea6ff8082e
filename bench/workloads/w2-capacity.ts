import { openLoop } from '../loops';
import type { BenchContext } from './context';

export type CapacityResult = { steps: Awaited<ReturnType<typeof openLoop>>[]; capacity: Record<string, number> };

/**
 * W2, capacity: open loop at rising arrival rates; a system's capacity is the highest rate it
 * keeps up with (it is not run at higher rates once it falls behind).
 */
export async function capacity({ stack, meters, systems, settings }: BenchContext): Promise<CapacityResult> {
  console.log(`bench W2: open loop at ${settings.rates.join(', ')} sagas/s, ${settings.stepSeconds} s each`);
  const steps: CapacityResult['steps'] = [];
  // The local-activities variant too: the setting that moves capacity most (see docs/benchmark.md).
  const open = [...systems.trio, systems.saga('c local activities', true)];
  const failed = new Set<string>();
  for (const rate of settings.rates) {
    for (const s of open) {
      if (failed.has(s.name)) continue;
      const step = await openLoop(stack, meters, s, rate, settings.stepSeconds);
      steps.push(step);
      console.log(
        `  ${s.name} @${rate}/s: ${step.sagasPerSecond}/s p50 ${step.latencyMs.p50} p99 ${step.latencyMs.p99}${step.keepsUp ? '' : '  (falls behind)'}`,
      );
      if (!step.keepsUp) failed.add(s.name);
    }
    if (failed.size === open.length) break;
  }
  const capacity = Object.fromEntries(
    open.map((s) => [s.name, Math.max(0, ...steps.filter((x) => x.system === s.name && x.keepsUp).map((x) => x.rate))]),
  );
  return { steps, capacity };
}
