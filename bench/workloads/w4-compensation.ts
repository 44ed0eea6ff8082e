import { closedLoop, summary, type RunResult } from '../loops';
import type { BenchContext } from './context';

/** W4, compensation: a refusal at the charge in 10 % and 50 % of sagas, a few at a time. */
export async function compensation({ stack, meters, systems, settings }: BenchContext) {
  console.log(`bench W4: a refusal at the charge in 10 % and 50 % of sagas, ${settings.concurrency} at a time`);
  const rows: (RunResult & { failingPercent: number })[] = [];
  for (const percent of [10, 50]) {
    for (const s of systems.trio) {
      const r = summary(
        await closedLoop(stack, meters, s, {
          sagas: settings.compensationSagas,
          concurrency: settings.concurrency,
          failEvery: 100 / percent,
          prefix: `w4-${percent}`,
        }),
      );
      rows.push({ failingPercent: percent, ...r });
      console.log(
        `  ${s.name} ${percent} %: ${r.sagasPerSecond}/s p50 ${r.latencyMs.p50} p99 ${r.latencyMs.p99}, ${r.compensated} compensated`,
      );
    }
  }
  return rows;
}
