import { performance } from 'node:perf_hooks';
import { openLoop, round } from '../loops';
import type { BenchContext } from './context';

/**
 * Soak: our saga at 70 % of its W2 capacity (or of the first rate without W2) for minutes, the
 * worker's memory sampled every 10 s (in quick runs every second) to show it does not grow.
 */
export async function soak({ stack, meters, systems, settings }: BenchContext, capacity: number | undefined) {
  const { ours } = systems;
  const rate = round(0.7 * (capacity && capacity > 0 ? capacity : settings.rates[0]!));
  console.log(`bench soak: ${ours.name} at ${rate}/s (70 % of capacity) for ${settings.soakMinutes} min`);
  const samples: { minute: number; workerRssMiB: number }[] = [];
  const t0 = performance.now();
  const sampler = setInterval(
    () => {
      samples.push({
        minute: round((performance.now() - t0) / 60_000, 2),
        workerRssMiB: round(meters[0]!.rssBytes() / 2 ** 20),
      });
    },
    settings.quick ? 1000 : 10_000,
  );
  let step;
  try {
    step = await openLoop(stack, meters, ours, rate, settings.soakMinutes * 60);
  } finally {
    clearInterval(sampler);
  }
  const avg = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const firstMinutes = samples.filter((s) => s.minute <= 2).map((s) => s.workerRssMiB);
  const lastMinutes = samples.filter((s) => s.minute > settings.soakMinutes - 2).map((s) => s.workerRssMiB);
  return {
    rate,
    minutes: settings.soakMinutes,
    sagas: step.sagas,
    errors: step.errors,
    latencyMs: step.latencyMs,
    workerRssMiB: { firstTwoMinutes: avg(firstMinutes), lastTwoMinutes: avg(lastMinutes), samples },
  };
}
