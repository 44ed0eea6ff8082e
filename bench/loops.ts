import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { metered, type ProcessMeter, type Usage } from './procs';
import { commits, type Commits, type Stack } from './stack';
import { percentiles } from './stats';
import type { System } from './systems';

export const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * Commits per second with no saga running: the services' own rounds (the gateway simulator's
 * settle-and-send loop, the order outbox relay's poll). Measured once, then taken out of every
 * run's count, so that the commits per saga are the saga's.
 */
let backgroundCommitsPerSecond = 0;

/** Counts the commits of the idle stack for `seconds`, to take them out of every later run. */
export async function measureBackgroundCommits(stack: Stack, seconds: number): Promise<number> {
  const from = await commits(stack);
  await sleep(seconds * 1000);
  const to = await commits(stack);
  backgroundCommitsPerSecond = round(((to.n - from.n) * 1000) / (to.at - from.at), 1);
  return backgroundCommitsPerSecond;
}
const sagaCommits = (before: Commits, after: Commits) =>
  Math.max(0, after.n - before.n - (backgroundCommitsPerSecond * (after.at - before.at)) / 1000);

async function historyEvents(client: Client, ids: string[]): Promise<number | undefined> {
  if (ids.length === 0) return undefined;
  const lengths = (
    await Promise.all(
      ids.map((id) =>
        client.workflow
          .getHandle(id)
          .describe()
          .then((d) => d.historyLength)
          .catch(() => undefined),
      ),
    )
  ).filter((n): n is number => n !== undefined);
  if (lengths.length === 0) return undefined;
  return round(lengths.reduce((a, b) => a + b, 0) / lengths.length);
}

/** What one run of one system on one workload measured. */
export interface RunResult {
  system: string;
  sagas: number;
  compensated: number;
  errors: number;
  seconds: number;
  sagasPerSecond: number;
  latencyMs: ReturnType<typeof percentiles>;
  usage: Usage;
  cpuSecondsPerSaga: number;
  historyEventsPerSaga?: number;
  pgCommitsPerSaga: number;
  firstError?: string;
}

let counter = 0;
const nextId = (prefix: string) => `${prefix.replace(/[^A-Za-z0-9._-]+/g, '_')}-${++counter}`;

/**
 * Runs `sagas` sagas of `system`, `concurrency` at a time (closed loop), measuring latency per saga
 * and the processes' CPU, memory and PostgreSQL commits over the whole run.
 */
export async function closedLoop(
  stack: Stack,
  meters: ProcessMeter[],
  system: System,
  opts: { sagas: number; concurrency: number; failEvery?: number; prefix: string },
): Promise<RunResult & { raw: number[] }> {
  const ids: string[] = [];
  const latencies: number[] = [];
  let compensated = 0;
  let errors = 0;
  let firstError: string | undefined;
  const before = await commits(stack);
  const t0 = performance.now();
  const { usage } = await metered(meters, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: opts.concurrency }, async () => {
        for (let i = next++; i < opts.sagas; i = next++) {
          const id = nextId(opts.prefix);
          ids.push(id);
          const fail = opts.failEvery !== undefined && i % opts.failEvery === 0;
          const began = performance.now();
          try {
            if ((await system.run(id, fail)) === 'COMPENSATED') compensated += 1;
          } catch (err) {
            errors += 1;
            firstError ??= String(err);
          }
          latencies.push(performance.now() - began);
        }
      }),
    );
  });
  const seconds = (performance.now() - t0) / 1000;
  const after = await commits(stack);
  const cpu = Object.values(usage.cpuSeconds).reduce((a, b) => a + b, 0);
  return {
    system: system.name,
    sagas: opts.sagas,
    compensated,
    errors,
    seconds: round(seconds, 2),
    sagasPerSecond: round(opts.sagas / seconds),
    latencyMs: percentiles(latencies),
    usage,
    cpuSecondsPerSaga: round(cpu / opts.sagas, 4),
    ...(system.workflowId
      ? { historyEventsPerSaga: await historyEvents(stack.temporal.client, ids.slice(-20).map(system.workflowId)) }
      : {}),
    pgCommitsPerSaga: round(sagaCommits(before, after) / opts.sagas, 2),
    ...(firstError ? { firstError } : {}),
    raw: latencies,
  };
}

/** Leaves out the raw latencies (kept for merging), for the report. */
export const summary = ({ raw: _raw, ...r }: RunResult & { raw: number[] }): RunResult => r;

/** Sums the runs of one system (W1 interleaves blocks): latencies are kept per block, so merge them. */
export function merge(runs: RunResult[], latencies: number[]): RunResult {
  const first = runs[0]!;
  const sum = (f: (r: RunResult) => number) => runs.reduce((a, r) => a + f(r), 0);
  const sagas = sum((r) => r.sagas);
  const seconds = sum((r) => r.seconds);
  const cpuSeconds: Record<string, number> = {};
  const peakRssMiB: Record<string, number> = {};
  for (const r of runs) {
    for (const [k, v] of Object.entries(r.usage.cpuSeconds)) cpuSeconds[k] = round((cpuSeconds[k] ?? 0) + v, 2);
    for (const [k, v] of Object.entries(r.usage.peakRssMiB)) peakRssMiB[k] = Math.max(peakRssMiB[k] ?? 0, v);
  }
  const cpu = Object.values(cpuSeconds).reduce((a, b) => a + b, 0);
  const events = runs.map((r) => r.historyEventsPerSaga).filter((e): e is number => e !== undefined);
  return {
    system: first.system,
    sagas,
    compensated: sum((r) => r.compensated),
    errors: sum((r) => r.errors),
    seconds: round(seconds, 2),
    sagasPerSecond: round(sagas / seconds),
    latencyMs: percentiles(latencies),
    usage: { cpuSeconds, peakRssMiB },
    cpuSecondsPerSaga: round(cpu / sagas, 4),
    ...(events.length > 0 ? { historyEventsPerSaga: round(events.reduce((a, b) => a + b, 0) / events.length) } : {}),
    pgCommitsPerSaga: round(sum((r) => r.pgCommitsPerSaga * r.sagas) / sagas, 2),
  };
}

/** One open-loop step: sagas arrive at `rate` per second for `seconds`, whether or not earlier ones finished. */
export async function openLoop(stack: Stack, meters: ProcessMeter[], system: System, rate: number, seconds: number) {
  const n = Math.max(1, Math.round(rate * seconds));
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let lastDone = 0;
  const before = await commits(stack);
  const t0 = performance.now() + 20;
  const { usage } = await metered(meters, async () => {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const scheduled = t0 + (i * 1000) / rate;
      const wait = scheduled - performance.now();
      if (wait > 0) await sleep(wait);
      const id = nextId(`w2-${system.name}-${rate}`);
      inFlight.push(
        system.run(id, false).then(
          () => {
            // From the saga's scheduled start, not its actual one: no coordinated omission.
            latencies.push(performance.now() - scheduled);
            lastDone = performance.now();
          },
          (err: unknown) => {
            errors += 1;
            firstError ??= String(err);
          },
        ),
      );
    }
    await Promise.all(inFlight);
  });
  const after = await commits(stack);
  const span = Math.max(seconds, (lastDone - t0) / 1000);
  const p = percentiles(latencies);
  const throughput = round(latencies.length / span);
  return {
    system: system.name,
    rate,
    sagas: n,
    errors,
    sagasPerSecond: throughput,
    latencyMs: p,
    usage,
    pgCommitsPerSaga: round(sagaCommits(before, after) / n, 2),
    // Completions keep up with arrivals (within 5 %) and p99 stays under a second.
    keepsUp: errors === 0 && throughput >= rate * 0.95 && p.p99 < 1000,
    ...(firstError ? { firstError } : {}),
  };
}
