/**
 * The benchmark's knobs, from the environment. `BENCH_QUICK=1` runs every workload with tiny
 * counts (a smoke run of the harness in about two minutes, not a measurement) and writes its
 * results to a temporary folder instead of bench/results/. Fails on a count that is not a number.
 */
const quick = process.env.BENCH_QUICK === '1';

function num(name: string, full: number, small: number): number {
  const raw = process.env[name];
  const value = raw === undefined ? (quick ? small : full) : Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}
const list = (name: string, full: string, small: string) =>
  (process.env[name] ?? (quick ? small : full)).split(',').map((v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must list positive numbers, got "${v}"`);
    return n;
  });

export const settings = {
  quick,
  warmup: num('BENCH_WARMUP', 50, 2),
  latencySagas: num('BENCH_W1_SAGAS', 1000, 4),
  /** W1 for the variants of (c): fewer, in the same interleaved blocks. */
  variantSagas: num('BENCH_W1_VARIANT_SAGAS', 300, 2),
  rates: list('BENCH_RATES', '2,4,6,8,10,15,20,30,40,60,80', '2'),
  stepSeconds: num('BENCH_STEP_SECONDS', 15, 2),
  lengths: list('BENCH_LENGTHS', '1,2,4,8,16', '1,2'),
  lengthSagas: num('BENCH_W3_SAGAS', 50, 2),
  compensationSagas: num('BENCH_W4_SAGAS', 200, 4),
  concurrency: 4,
  soakMinutes: num('BENCH_SOAK_MINUTES', 10, 0.2),
  /** How long the commits of an idle stack are counted, to take them out of each run. */
  idleSeconds: quick ? 2 : 5,
  workloads: (process.env.BENCH_WORKLOADS ?? 'startup,W1,W2,W3,W4,soak').split(','),
};
export type Settings = typeof settings;

export const TASK_QUEUE = 'bench';
export const EAGER_QUEUE = 'bench-eager';
export const sqlitePragmas = { journal_mode: 'wal', synchronous: process.env.BENCH_SQLITE_SYNC ?? 'full' };
