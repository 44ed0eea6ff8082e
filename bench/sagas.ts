import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { createActivities, serviceDeps } from '../activities';
import { startPayment } from '../client';
import type { PaymentSagaInput } from '../contracts/payment';
import { ensureLocalPostgres, recreateDatabase } from '../provision/postgres';
import { freePort, startTsProcess, waitUntil, type ManagedProcess } from '../provision/process';
import { startTemporalDev } from '../provision/temporal-dev';
import { projectRoot } from '../provision/tools';
import { testCards } from '../simulators/gateway/cards';
import { loadConfig, serviceNames, type ServiceName } from '../config';
import { runMain } from '../config/entry';
import { workflowBundlePath } from '../apps/worker/bundle';
import { smallMachineTuning } from '../apps/worker/tuning';
import { paymentSaga } from '../workflows';
import { benchWorkflowsPath, createBenchActivities } from './activities';
import { machine, writeResult } from './machine';
import { plainChain, plainPayment } from './plain';
import { metered, ProcessMeter, selfMeter, type Usage } from './procs';
import { renderReport } from './report';
import { percentiles } from './stats';
import type { chainSaga, floorSaga } from './workflows';

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const settings = {
  warmup: num('BENCH_WARMUP', 50),
  latencySagas: num('BENCH_W1_SAGAS', 1000),
  /** W1 for the variants of (c): fewer, in the same interleaved blocks. */
  variantSagas: num('BENCH_W1_VARIANT_SAGAS', 300),
  rates: (process.env.BENCH_RATES ?? '2,4,6,8,10,15,20,30,40,60,80').split(',').map(Number),
  stepSeconds: num('BENCH_STEP_SECONDS', 15),
  lengths: (process.env.BENCH_LENGTHS ?? '1,2,4,8,16').split(',').map(Number),
  lengthSagas: num('BENCH_W3_SAGAS', 50),
  compensationSagas: num('BENCH_W4_SAGAS', 200),
  concurrency: 4,
  soakMinutes: num('BENCH_SOAK_MINUTES', 10),
  workloads: (process.env.BENCH_WORKLOADS ?? 'startup,W1,W2,W3,W4,soak').split(','),
};
const TASK_QUEUE = 'bench';
const EAGER_QUEUE = 'bench-eager';
const PAYMENT_STEPS = 6; // validate, reserve, charge [pivot], award points, ship, mark paid
const CHARGE_STEP = 2;
const sqlitePragmas = { journal_mode: 'wal', synchronous: process.env.BENCH_SQLITE_SYNC ?? 'full' };

type Outcome = 'COMPLETED' | 'COMPENSATED';
/** One system under test: runs saga `id` (a refusal at the charge when `fail`). */
interface System {
  name: string;
  run(id: string, fail: boolean): Promise<Outcome>;
  /** Workflow id of saga `id`, for counting its history events (engine systems). */
  workflowId?: (id: string) => string;
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const order = (id: string, fail: boolean): PaymentSagaInput => ({
  orderId: id,
  customerId: `bench-${id.length % 50}`,
  currency: 'EUR',
  items: [
    { sku: 'BENCH-A', quantity: 2, unitPriceCents: 1500 },
    { sku: 'BENCH-B', quantity: 1, unitPriceCents: 2000 },
  ],
  card: { number: fail ? testCards.declined : testCards.success },
});

/** The stack the benchmark brings up: each part its own process, so each can be measured. */
async function bringUp(nonce: string) {
  const config = loadConfig();
  const stops: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const dataDir = join(projectRoot, config.dataDir);
    const cluster = await ensureLocalPostgres({
      dataDir: join(dataDir, 'pg'),
      port: config.database.localPort,
      database: 'saga',
    });
    if (cluster.startedHere) stops.push(() => cluster.stop());
    const database = 'saga_bench_sagas';
    await recreateDatabase(cluster.url('postgres'), database);
    const databaseUrl = cluster.url(database);
    const postmaster = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);

    const benchDir = join(dataDir, 'bench');
    mkdirSync(benchDir, { recursive: true });
    const dbFile = join(benchDir, `temporal-${nonce}.sqlite`);
    const temporal = await startTemporalDev({
      ip: '127.0.0.1',
      port: await freePort(),
      namespace: 'default',
      dbFile,
      sqlitePragmas,
      extraDynamicConfig: {
        'system.enableEagerWorkflowStart': true,
        ...(JSON.parse(process.env.BENCH_DYNAMIC_CONFIG ?? '{}') as Record<string, string | number | boolean>),
      },
      logFile: join(dataDir, 'logs', 'bench-temporal.log'),
    });
    stops.push(async () => {
      await temporal.stop();
      for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
    });

    const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (n) => [n, await freePort()] as const)));
    const urls = Object.fromEntries(serviceNames.map((n) => [n, `http://127.0.0.1:${ports[n]}`])) as Record<
      ServiceName,
      string
    >;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      // The gateway settles a charge at its next round (every 50 ms) rather than after 100 ms.
      GATEWAY_SETTLE_MS: '0',
      ...Object.fromEntries(
        serviceNames.flatMap((n) => [
          [`${n.toUpperCase()}_PORT`, String(ports[n])],
          [`${n.toUpperCase()}_URL`, urls[n]],
        ]),
      ),
    };
    const logs = join(dataDir, 'logs');
    const services = startTsProcess('services', join(projectRoot, 'apps/services/main.ts'), {
      env,
      logFile: join(logs, 'bench-services.log'),
    });
    stops.push(() => services.stop());
    await waitUntil(
      'the services',
      async () => {
        const up = await Promise.all(
          serviceNames.map((n) =>
            fetch(`${urls[n]}/health`).then(
              (r) => r.ok,
              () => false,
            ),
          ),
        );
        return up.every(Boolean);
      },
      { process: services, timeoutMs: 60_000 },
    );

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection });
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    stops.push(() => pool.end());
    return { config, env, urls, databaseUrl, database, postmaster, temporal, services, client, pool, close, stops };
  } catch (err) {
    await close();
    throw err;
  }
}
type Stack = Awaited<ReturnType<typeof bringUp>>;

/** Starts the benchmark's worker process and waits until it polls; answers its startup time. */
async function startWorker(
  stack: Stack,
  bundle: 'build' | 'prebuilt',
): Promise<{ proc: ManagedProcess; startupMs: number }> {
  const readyFile = join(projectRoot, '.data', 'bench', `worker-ready-${bundle}.json`);
  rmSync(readyFile, { force: true });
  const proc = startTsProcess('bench-worker', join(projectRoot, 'bench/worker.ts'), {
    env: { ...stack.env, BENCH_BUNDLE: bundle, BENCH_READY_FILE: readyFile },
    logFile: join(projectRoot, '.data', 'logs', 'bench-worker.log'),
  });
  await waitUntil('the bench worker', () => Promise.resolve(existsSync(readyFile)), {
    process: proc,
    timeoutMs: 120_000,
  });
  return { proc, startupMs: (JSON.parse(readFileSync(readyFile, 'utf8')) as { startupMs: number }).startupMs };
}

/** A reading of the database's commit counter. */
interface Commits {
  n: number;
  at: number;
}

async function commits(stack: Stack): Promise<Commits> {
  await sleep(1200); // backends report their counters about once a second
  await stack.pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await stack.pool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1',
    [stack.database],
  );
  return { n: Number(rows[0]?.n ?? 0), at: performance.now() };
}

/**
 * Commits per second with no saga running: the services' own rounds (the gateway simulator's
 * settle-and-send loop, the order outbox relay's poll). Measured once, then taken out of every
 * run's count, so that the commits per saga are the saga's.
 */
let backgroundCommitsPerSecond = 0;
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
interface RunResult {
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
async function closedLoop(
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
      ? { historyEventsPerSaga: await historyEvents(stack.client, ids.slice(-20).map(system.workflowId)) }
      : {}),
    pgCommitsPerSaga: round(sagaCommits(before, after) / opts.sagas, 2),
    ...(firstError ? { firstError } : {}),
    raw: latencies,
  };
}

/** Leaves out the raw latencies (kept for merging), for the report. */
const summary = ({ raw: _raw, ...r }: RunResult & { raw: number[] }): RunResult => r;

/** Sums the runs of one system (W1 interleaves blocks): latencies are kept per block, so merge them. */
function merge(runs: RunResult[], latencies: number[]): RunResult {
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
async function openLoop(stack: Stack, meters: ProcessMeter[], system: System, rate: number, seconds: number) {
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

async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the in-process eager worker's
  const nonce = Date.now().toString(36);
  const started = new Date().toISOString();
  console.log(`bench: bringing up PostgreSQL, Temporal (SQLite ${JSON.stringify(sqlitePragmas)}), services`);
  // Bundle once up front, so the prebuilt variant loads a file like a deployed worker would.
  await workflowBundlePath(benchWorkflowsPath);
  const stack = await bringUp(nonce);
  const results: Record<string, unknown> = {};
  let worker: ManagedProcess | undefined;
  try {
    // Worker startup: bundling at start against loading a prebuilt bundle.
    const built = await startWorker(stack, 'build');
    await built.proc.stop();
    const prebuilt = await startWorker(stack, 'prebuilt');
    worker = prebuilt.proc;
    results.startup = { bundleAtStartMs: built.startupMs, prebuiltBundleMs: prebuilt.startupMs };
    const idleFrom = await commits(stack);
    await sleep(5000);
    const idleTo = await commits(stack);
    backgroundCommitsPerSecond = round(((idleTo.n - idleFrom.n) * 1000) / (idleTo.at - idleFrom.at), 1);
    results.backgroundCommitsPerSecond = backgroundCommitsPerSecond;
    console.log(
      `bench: ${backgroundCommitsPerSecond} PostgreSQL commits/s with no saga running (taken out of each run)`,
    );
    console.log(`bench: worker ready in ${built.startupMs} ms bundling, ${prebuilt.startupMs} ms prebuilt`);

    const meters = [
      new ProcessMeter('worker', worker.child.pid!),
      new ProcessMeter('temporal', stack.temporal.process.child.pid!),
      new ProcessMeter('postgres', stack.postmaster),
      new ProcessMeter('services', stack.services.child.pid!),
      selfMeter,
    ];
    for (const sku of ['BENCH-A', 'BENCH-B', 'BENCH-CHAIN']) {
      await fetch(`${stack.urls.inventory}/stock/${sku}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ available: 1_000_000_000 }),
      });
    }
    const act = createActivities(serviceDeps(stack.urls));
    const { client } = stack;
    const engineOutcome = (p: Promise<unknown>): Promise<Outcome> =>
      p.then(
        () => 'COMPLETED' as const,
        (err: { cause?: { type?: string } }) => {
          if (err.cause?.type === 'SagaFailed') return 'COMPENSATED' as const;
          throw err as Error;
        },
      );
    const plain: System = { name: 'a plain', run: (id, fail) => plainPayment(act, order(id, fail)) };
    const floor: System = {
      name: 'b engine floor',
      workflowId: (id) => `floor:${id}`,
      run: async (id, fail) =>
        await client.workflow.execute<typeof floorSaga>('floorSaga', {
          taskQueue: TASK_QUEUE,
          workflowId: `floor:${id}`,
          args: [{ steps: PAYMENT_STEPS, ...(fail ? { failAt: CHARGE_STEP } : {}) }],
        }),
    };
    const saga = (name: string, localActivities: boolean): System => ({
      name,
      workflowId: (id) => `payment:${id}`,
      run: (id, fail) =>
        engineOutcome(
          startPayment(client, order(id, fail), {
            taskQueue: TASK_QUEUE,
            ...(localActivities ? { sagaOptions: { localActivities } } : {}),
          }).then((h) => h.result()),
        ),
    });
    const ours = saga('c paymentSaga', false);
    const trio = [plain, floor, ours];

    if (settings.workloads.includes('W1')) {
      // Eager start needs the worker in the starting process, on a connection shared with the client.
      const native = await NativeConnection.connect({ address: stack.temporal.address });
      const eagerWorker = await Worker.create({
        connection: native,
        taskQueue: EAGER_QUEUE,
        activities: { ...act, ...createBenchActivities() },
        workflowBundle: { codePath: await workflowBundlePath(benchWorkflowsPath) },
        ...smallMachineTuning,
      });
      const eagerClient = new Client({ connection: native });
      const eager: System = {
        name: 'c eager start',
        workflowId: (id) => `payment:${id}`,
        run: (id, fail) =>
          engineOutcome(
            eagerClient.workflow
              .start(paymentSaga, {
                taskQueue: EAGER_QUEUE,
                workflowId: `payment:${id}`,
                args: [order(id, fail), {}],
                requestEagerStart: true,
              })
              .then((h) => h.result()),
          ),
      };
      const systems = [...trio, saga('c local activities', true), eager];
      await eagerWorker.runUntil(async () => {
        console.log(
          `bench W1: ${settings.latencySagas} sagas one at a time per system, interleaved in blocks of 100 (its variants ${settings.variantSagas})`,
        );
        for (const s of systems)
          await closedLoop(stack, meters, s, { sagas: settings.warmup, concurrency: 1, prefix: `warm-${s.name}` });
        const runs = new Map<string, RunResult[]>(systems.map((s) => [s.name, []]));
        const latencies = new Map<string, number[]>(systems.map((s) => [s.name, []]));
        const blocks = Math.ceil(settings.latencySagas / 100);
        for (let b = 0, done = 0; b < blocks; b++, done += 100) {
          for (const s of systems) {
            const variant = !trio.includes(s);
            const block = variant
              ? Math.ceil(settings.variantSagas / blocks)
              : Math.min(100, settings.latencySagas - done);
            const r = await closedLoop(stack, meters, s, {
              sagas: block,
              concurrency: 1,
              prefix: `w1-${s.name.split(' ')[0]}`,
            });
            runs.get(s.name)!.push(summary(r));
            latencies.get(s.name)!.push(...r.raw);
          }
        }
        results.W1 = systems.map((s) => merge(runs.get(s.name)!, latencies.get(s.name)!));
      });
      await native.close();
      console.table(
        (results.W1 as RunResult[]).map((r) => ({ system: r.system, ...r.latencyMs, perSec: r.sagasPerSecond })),
      );
    }

    if (settings.workloads.includes('W2')) {
      console.log(`bench W2: open loop at ${settings.rates.join(', ')} sagas/s, ${settings.stepSeconds} s each`);
      const steps: Awaited<ReturnType<typeof openLoop>>[] = [];
      // The local-activities variant too: the setting that moves capacity most (see the README).
      const open = [...trio, saga('c local activities', true)];
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
        open.map((s) => [
          s.name,
          Math.max(0, ...steps.filter((x) => x.system === s.name && x.keepsUp).map((x) => x.rate)),
        ]),
      );
      results.W2 = { steps, capacity };
    }

    if (settings.workloads.includes('W3')) {
      console.log(`bench W3: sagas of ${settings.lengths.join(', ')} steps`);
      const chain: System = {
        name: 'c chainSaga',
        workflowId: (id) => `chain:${id}`,
        run: () => Promise.reject(new Error('set per length')),
      };
      const rows = [];
      for (const steps of settings.lengths) {
        const systems: System[] = [
          { name: plain.name, run: (id) => plainChain(act, { id, sku: 'BENCH-CHAIN', steps }) },
          {
            ...floor,
            run: async (id) =>
              await client.workflow.execute<typeof floorSaga>('floorSaga', {
                taskQueue: TASK_QUEUE,
                workflowId: `floor:${id}`,
                args: [{ steps }],
              }),
          },
          {
            ...chain,
            run: async (id) =>
              await client.workflow.execute<typeof chainSaga>('chainSaga', {
                taskQueue: TASK_QUEUE,
                workflowId: `chain:${id}`,
                args: [{ sku: 'BENCH-CHAIN', steps }],
              }),
          },
        ];
        for (const s of systems) {
          const r = summary(
            await closedLoop(stack, meters, s, { sagas: settings.lengthSagas, concurrency: 1, prefix: `w3-${steps}` }),
          );
          rows.push({ steps, ...r });
          console.log(`  ${s.name} × ${steps}: p50 ${r.latencyMs.p50} ms, ${r.cpuSecondsPerSaga} CPU s/saga`);
        }
      }
      results.W3 = rows;
    }

    if (settings.workloads.includes('W4')) {
      console.log(`bench W4: a refusal at the charge in 10 % and 50 % of sagas, ${settings.concurrency} at a time`);
      const rows = [];
      for (const percent of [10, 50]) {
        for (const s of trio) {
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
      results.W4 = rows;
    }

    if (settings.workloads.includes('soak') && settings.soakMinutes > 0) {
      const capacity = (results.W2 as { capacity?: Record<string, number> } | undefined)?.capacity?.[ours.name];
      const rate = round(0.7 * (capacity && capacity > 0 ? capacity : settings.rates[0]!));
      console.log(`bench soak: ${ours.name} at ${rate}/s (70 % of capacity) for ${settings.soakMinutes} min`);
      const samples: { minute: number; workerRssMiB: number }[] = [];
      const t0 = performance.now();
      const sampler = setInterval(() => {
        samples.push({
          minute: round((performance.now() - t0) / 60_000, 2),
          workerRssMiB: round(meters[0]!.rssBytes() / 2 ** 20),
        });
      }, 10_000);
      let step;
      try {
        step = await openLoop(stack, meters, ours, rate, settings.soakMinutes * 60);
      } finally {
        clearInterval(sampler);
      }
      const avg = (xs: number[]) => round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
      const firstMinutes = samples.filter((s) => s.minute <= 2).map((s) => s.workerRssMiB);
      const lastMinutes = samples.filter((s) => s.minute > settings.soakMinutes - 2).map((s) => s.workerRssMiB);
      results.soak = {
        rate,
        minutes: settings.soakMinutes,
        sagas: step.sagas,
        errors: step.errors,
        latencyMs: step.latencyMs,
        workerRssMiB: { firstTwoMinutes: avg(firstMinutes), lastTwoMinutes: avg(lastMinutes), samples },
      };
    }

    const pgSettings = await stack.pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections', 'shared_buffers')`,
    );
    const report = {
      scenario: process.env.BENCH_NAME ?? 'sagas',
      date: started,
      machine: machine(),
      durability: {
        postgres: Object.fromEntries(pgSettings.rows.map((r) => [r.name, r.setting])),
        temporal: `dev server (temporal CLI), SQLite file with ${Object.entries(sqlitePragmas)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}: every commit is fsynced`,
      },
      settings: { ...settings, workerTuning: smallMachineTuning, gatewaySettleMs: 0, gatewayTickMs: 50 },
      results,
    };
    const { markdown, chart } = await renderReport(report);
    const name = process.env.BENCH_NAME ?? 'sagas';
    writeResult(name, started, report, markdown, chart);
    console.log(`bench: results in bench/results/${started.slice(0, 10)}-${name}.{json,md,png}`);
  } finally {
    await worker?.stop();
    await stack.close();
  }
}

runMain(run);
