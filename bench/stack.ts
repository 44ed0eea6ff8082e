import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../config';
import { startProcess, waitUntil, type ManagedProcess } from '../provision/process';
import { scratchProcessStack, type ProcessStack } from '../provision/scratch';
import { projectRoot } from '../provision/tools';
import type { DynamicValue } from '../temporal-config/dynamic-config';
import { sqlitePragmas, TASK_QUEUE } from './settings';

const DATABASE = 'saga_bench_sagas';

/** The stack under test, each part its own process, and a small pool for the commit counter. */
export type Stack = ProcessStack & { database: string; pool: pg.Pool };

/** Which Temporal server a run uses: the dev server (with dynamic config on top of the project's) or the production one. */
export type BenchEngine = { engine: 'dev'; dynamicConfig?: Record<string, DynamicValue> } | { engine: 'server' };

/**
 * Brings up PostgreSQL, a dev server on a durable SQLite file (`nonce` names it) or, with
 * `{ engine: 'server' }`, the production server on the same cluster, and the services host, with
 * the gateway settling at its next round, over `database` (one per stack when several run at
 * once). Fails when a part is not ready in time.
 */
export async function bringUp(
  nonce: string,
  engine: BenchEngine = { engine: 'dev' },
  database = DATABASE,
): Promise<Stack> {
  const dataDir = join(projectRoot, loadConfig().dataDir);
  mkdirSync(join(dataDir, 'bench'), { recursive: true });
  const logFile = join(dataDir, 'logs', `bench-temporal-${database}.log`);
  const stack = await scratchProcessStack({
    database,
    temporal:
      engine.engine === 'server'
        ? { engine: 'server', logFile }
        : {
            dbFile: join(dataDir, 'bench', `temporal-${nonce}.sqlite`),
            sqlitePragmas,
            extraDynamicConfig: {
              'system.enableEagerWorkflowStart': true,
              ...(JSON.parse(process.env.BENCH_DYNAMIC_CONFIG ?? '{}') as Record<string, DynamicValue>),
              ...engine.dynamicConfig,
            },
            logFile,
          },
    // The gateway settles a charge at its next round (every 50 ms) rather than after 100 ms.
    env: { TEMPORAL_TASK_QUEUE: TASK_QUEUE, GATEWAY_SETTLE_MS: '0' },
    servicesLogFile: join(dataDir, 'logs', `bench-services-${database}.log`),
  });
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 2 });
  return {
    ...stack,
    database,
    pool,
    async close() {
      await pool.end().catch(() => undefined);
      await stack.close();
    },
  };
}

/**
 * Starts the benchmark's worker process (bench/worker.ts) and waits until it polls; answers its
 * startup time. Fails when it exits first or is not ready in two minutes. `nodeArgs` go to its
 * `node` before the script (`--cpu-prof`, which NODE_OPTIONS may not carry).
 */
export async function startWorker(
  stack: Stack,
  bundle: 'build' | 'prebuilt',
  nodeArgs: string[] = [],
): Promise<{ proc: ManagedProcess; startupMs: number }> {
  const readyFile = join(projectRoot, '.data', 'bench', `worker-ready-${stack.database}-${bundle}.json`);
  rmSync(readyFile, { force: true });
  const proc = startProcess(
    'bench-worker',
    process.execPath,
    [...nodeArgs, '--import', 'tsx', join(projectRoot, 'bench/worker.ts')],
    {
      env: { ...stack.env, BENCH_BUNDLE: bundle, BENCH_READY_FILE: readyFile },
      logFile: join(projectRoot, '.data', 'logs', `bench-worker-${stack.database}.log`),
    },
  );
  // The worker writes the file in one call, but a reader may still see it empty for a moment.
  let ready: { startupMs: number } | undefined;
  const written = () => {
    if (existsSync(readyFile)) ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { startupMs: number };
    return Promise.resolve(ready !== undefined);
  };
  await waitUntil('the bench worker', written, { process: proc, timeoutMs: 120_000 });
  return { proc, startupMs: ready!.startupMs };
}

/** A reading of the database's commit counter. */
export interface Commits {
  n: number;
  at: number;
}

/** Reads the commit counter of the benchmark's database (after the backends have reported). */
export async function commits(stack: Stack): Promise<Commits> {
  await sleep(1200); // backends report their counters about once a second
  await stack.pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await stack.pool.query<{ n: string }>(
    'SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = $1',
    [stack.database],
  );
  return { n: Number(rows[0]?.n ?? 0), at: performance.now() };
}
