import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort } from '../provision/process';
import { startRedis } from '../provision/redis';
import { scratchStack } from '../provision/scratch';
import { projectRoot } from '../provision/tools';
import { runMain } from '../config/entry';
import { durability, machine, writeResult } from './machine';
import { percentiles } from './stats';

const UNITS = 100;
/** Sale sizes: all buyers released at once, or (5,000) at most `inFlight` requests at a time. */
const SIZES = [
  { buyers: 500, inFlight: 500 },
  { buyers: 5000, inFlight: 500 },
];
const POOL_SIZE = 20;
const GATE_SHARDS = 8;
// A quick run (BENCH_QUICK=1) checks the harness, not the numbers: one round after the warm-up.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (process.env.BENCH_QUICK === '1' ? 2 : 10));

type Variant = { name: string; shards?: number };
const variants: Variant[] = [
  { name: 'no gate (TCC try on PostgreSQL for every buyer)' },
  { name: 'gate, 1 key', shards: 1 },
  { name: `gate, ${GATE_SHARDS} keys`, shards: GATE_SHARDS },
];

/** Runs `work` for each index with at most `limit` at a time. */
async function bounded<R>(n: number, limit: number, work: (i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(n);
  let next = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await work(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, lane));
  return out;
}

/**
 * Flash sale: a hot SKU with 100 units and 500 or 5,000 buyers, three ways on the same sizes:
 * every buyer a TCC try over HTTP on the inventory service (one conditional UPDATE on the hot row,
 * barrier row, idempotency key); and the Redis gate in front (1 key, and the units split over 8),
 * where only admitted buyers go on to the same TCC try. A buyer's latency runs from the common
 * start to its answer (frozen, or refused), so queueing counts. Writes
 * bench/results/<date>-flash-sale.{json,md}.
 */
async function run(): Promise<void> {
  const redisDir = join(projectRoot, '.data', 'redis-bench');
  rmSync(redisDir, { recursive: true, force: true });
  const redis = await startRedis({
    port: await freePort(),
    dataDir: redisDir,
    logFile: join(projectRoot, '.data', 'logs', 'redis-bench.log'),
  });
  const rows = [];
  let pgDurability: Record<string, string> = {};
  try {
    for (const variant of variants) {
      const stack = await scratchStack({
        database: 'saga_bench',
        services: ['inventory'],
        poolSize: POOL_SIZE,
        ...(variant.shards ? { flashSaleGate: { url: redis.url, shards: variant.shards } } : {}),
      });
      try {
        pgDurability = await durability(stack.services.pool);
        for (const size of SIZES) rows.push({ variant: variant.name, ...size, ...(await sale(stack, variant, size)) });
      } finally {
        await stack.close();
      }
    }
  } finally {
    await redis.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }
  const result = {
    scenario: 'flash-sale',
    date: new Date().toISOString(),
    machine: machine(),
    quick: process.env.BENCH_QUICK === '1',
    durability: { postgres: pgDurability, redis: 'appendonly yes, appendfsync everysec' },
    setup: { units: UNITS, rounds: ROUNDS, warmupRounds: 1, poolSize: POOL_SIZE, transport: 'HTTP/1.1 on loopback' },
    rows,
  };
  const day = result.date.slice(0, 10);
  writeResult('flash-sale', result.date, result, [
    `# Flash sale, ${day}`,
    '',
    `${UNITS} units; each buyer one attempt; ${ROUNDS - 1} measured round${ROUNDS - 1 === 1 ? '' : 's'} after 1 warm-up${result.quick ? ' (BENCH_QUICK=1: a check of the harness, the numbers are rough)' : ''}.`,
    `Machine: ${result.machine.cores} cores (${result.machine.cpu}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}.`,
    `PostgreSQL durability: fsync=${pgDurability.fsync}, synchronous_commit=${pgDurability.synchronous_commit}; Redis: AOF, fsync every second.`,
    '',
    '| variant | buyers | in flight | buyers/s | p50 ms | p99 ms | max ms | sold | refused | reached PostgreSQL |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.variant} | ${r.buyers} | ${r.inFlight} | ${r.buyersPerSecond} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} | ${r.sold} | ${r.refused} | ${r.reachedDatabase} |`,
    ),
    '',
    'Latency counts from the moment the buyers are released, so it includes queueing (for the 20',
    'database connections without the gate, for the event loop and Redis with it); the load generator',
    'shares the machine with the service, Redis and PostgreSQL. Every row sold exactly 100.',
    'One Redis serves every key here, so 8 keys change no CPU: they are for a Redis Cluster, where',
    'the shards of one sale live on different nodes (docs/flash-sale-gate.md).',
    '',
  ]);
  console.log(JSON.stringify(rows.map((r) => ({ v: r.variant, b: r.buyers, bps: r.buyersPerSecond, l: r.latency }))));
}

async function sale(
  stack: Awaited<ReturnType<typeof scratchStack>>,
  variant: Variant,
  size: { buyers: number; inFlight: number },
) {
  const base = stack.services.urls.inventory!;
  const authorization = `Bearer ${stack.tokens.callers.operator}`;
  const call = async (method: string, path: string, body: unknown, key?: string) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization, ...(key ? { 'idempotency-key': key } : {}) },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  };
  const rounds = [];
  const latencies: number[] = [];
  let reachedDatabase = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const sku = `HOT-${size.buyers}-${round}`;
    const id = (i: number) => `r${size.buyers}-${round}-b${i}`;
    const opened = variant.shards
      ? await call('PUT', `/flash-sales/${sku}`, { units: UNITS, perBuyerLimit: 1 })
      : await call('PUT', `/stock/${sku}`, { available: UNITS });
    if (opened !== 200) throw new Error(`opening ${sku}: ${opened}`);
    let tries = 0;
    const freeze = (i: number) => {
      tries += 1;
      const body = { items: [{ sku, quantity: 1 }], ...(variant.shards ? { buyerId: id(i) } : {}) };
      return call('POST', `/tcc/${id(i)}/branches/stock/try`, body, id(i));
    };
    const t0 = performance.now();
    const answers = await bounded(size.buyers, size.inFlight, async (i) => {
      let status = variant.shards
        ? await call('POST', `/flash-sales/${sku}/admissions`, { buyerId: id(i), orderId: id(i), quantity: 1 })
        : await freeze(i);
      if (status === 201) status = await freeze(i);
      return { status, ms: performance.now() - t0 };
    });
    const seconds = (performance.now() - t0) / 1000;
    const sold = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 422).length;
    if (sold !== UNITS || refused !== size.buyers - UNITS) {
      throw new Error(`${variant.name}, ${size.buyers} buyers, round ${round}: ${sold} sold, ${refused} refused`);
    }
    if (round === 0) continue; // warms up
    latencies.push(...answers.map((a) => a.ms));
    reachedDatabase = tries;
    rounds.push({
      round,
      seconds: Math.round(seconds * 1000) / 1000,
      buyersPerSecond: Math.round(size.buyers / seconds),
    });
  }
  return {
    buyersPerSecond: Math.round(rounds.reduce((s, r) => s + r.buyersPerSecond, 0) / rounds.length),
    latency: percentiles(latencies),
    sold: UNITS,
    refused: size.buyers - UNITS,
    reachedDatabase,
    rounds,
  };
}

runMain(run);
