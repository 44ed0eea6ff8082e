import { performance } from 'node:perf_hooks';
import { scratchStack } from '../provision/scratch';
import { runMain } from '../config/entry';
import { durability, machine, writeResult } from './machine';
import { percentiles } from './stats';

const UNITS = 100;
const BUYERS = 500;
// A quick run (BENCH_QUICK=1) checks the harness, not the numbers: one round after the warm-up.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_QUICK === '1' ? 2 : 10));

/**
 * Flash sale: a hot SKU with 100 units and 500 buyers arriving at once, each a TCC try over HTTP
 * on the inventory service (one conditional UPDATE, barrier row, idempotency key). Latency is
 * measured from the common start, so queueing counts. Writes bench/results/<date>-flash-sale.{json,md}.
 */
async function run(): Promise<void> {
  const stack = await scratchStack({ database: 'saga_bench', services: ['inventory'], poolSize: 20 });
  const { services } = stack;
  const pgDurability = await durability(services.pool);
  const base = services.urls.inventory!;
  const authorization = `Bearer ${stack.tokens.callers.operator}`;
  const post = (path: string, body: unknown, key: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key, authorization },
      body: JSON.stringify(body),
    });
  try {
    const rounds = [];
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const sku = `HOT-${round}`;
      await fetch(`${base}/stock/${sku}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ available: UNITS }),
      });
      const t0 = performance.now();
      const answers = await Promise.all(
        Array.from({ length: BUYERS }, async (_, i) => {
          const res = await post(
            `/tcc/r${round}-b${i}/branches/stock/try`,
            { items: [{ sku, quantity: 1 }] },
            `r${round}-b${i}`,
          );
          await res.arrayBuffer();
          return { status: res.status, ms: performance.now() - t0 };
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const sold = answers.filter((a) => a.status === 200).length;
      const refused = answers.filter((a) => a.status === 422).length;
      if (sold !== UNITS || refused !== BUYERS - UNITS)
        throw new Error(`round ${round}: ${sold} sold, ${refused} refused`);
      if (round > 0) latencies.push(...answers.map((a) => a.ms)); // round 0 warms up
      rounds.push({ round, seconds: Math.round(seconds * 1000) / 1000, buyersPerSecond: Math.round(BUYERS / seconds) });
    }
    const measured = rounds.slice(1);
    const result = {
      scenario: 'flash-sale',
      date: new Date().toISOString(),
      machine: machine(),
      durability: { postgres: pgDurability, note: 'PostgreSQL with its durable defaults' },
      setup: {
        units: UNITS,
        buyers: BUYERS,
        rounds: ROUNDS,
        warmupRounds: 1,
        poolSize: 20,
        transport: 'HTTP/1.1 on loopback',
      },
      outcome: { soldPerRound: UNITS, refusedPerRound: BUYERS - UNITS, oversold: 0 },
      buyersPerSecond: Math.round(measured.reduce((s, r) => s + r.buyersPerSecond, 0) / measured.length),
      latencyMsFromCommonStart: percentiles(latencies),
      rounds,
    };
    const l = result.latencyMsFromCommonStart;
    const day = result.date.slice(0, 10);
    writeResult('flash-sale', result.date, result, [
      `# Flash sale, ${day}`,
      '',
      `${UNITS} units, ${BUYERS} concurrent buyers (TCC try over HTTP), ${ROUNDS - 1} measured rounds after 1 warm-up.`,
      `Machine: ${result.machine.cores} cores (${result.machine.cpu}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}.`,
      `PostgreSQL durability: fsync=${pgDurability.fsync}, synchronous_commit=${pgDurability.synchronous_commit}.`,
      '',
      '| buyers/s | p50 ms | p95 ms | p99 ms | max ms | sold | refused (OutOfStock) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${result.buyersPerSecond} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ${UNITS} | ${BUYERS - UNITS} |`,
      '',
      'Latency counts from the moment all 500 requests are released together, so it includes queueing for',
      'the 20 database connections; the load generator shares the machine with the service and PostgreSQL.',
      '',
    ]);
    console.log(JSON.stringify({ buyersPerSecond: result.buyersPerSecond, latency: l }));
  } finally {
    await stack.close();
  }
}

runMain(run);
