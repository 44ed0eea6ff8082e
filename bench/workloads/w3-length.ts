import { closedLoop, summary, type RunResult } from '../loops';
import { plainChain } from '../plain';
import { engineSystem, type System } from '../systems';
import type { BenchContext } from './context';

/** W3, length: sagas of 1 to 16 steps, each reserving one unit of stock: how the cost grows with the length. */
export async function length({ stack, meters, act, systems, settings }: BenchContext) {
  console.log(`bench W3: sagas of ${settings.lengths.join(', ')} steps`);
  const { client } = stack.temporal;
  const rows: (RunResult & { steps: number })[] = [];
  for (const steps of settings.lengths) {
    const all: System[] = [
      { name: systems.plain.name, run: (id) => plainChain(act, { id, sku: 'BENCH-CHAIN', steps }) },
      engineSystem(client, systems.floor.name, 'floorSaga', () => [{ steps }]),
      engineSystem(client, 'c chainSaga', 'chainSaga', () => [{ sku: 'BENCH-CHAIN', steps }]),
    ];
    for (const s of all) {
      const r = summary(
        await closedLoop(stack, meters, s, { sagas: settings.lengthSagas, concurrency: 1, prefix: `w3-${steps}` }),
      );
      rows.push({ steps, ...r });
      console.log(`  ${s.name} × ${steps}: p50 ${r.latencyMs.p50} ms, ${r.cpuSecondsPerSaga} CPU s/saga`);
    }
  }
  return rows;
}
