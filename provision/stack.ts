import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { ConfigError, loadConfig, serviceNames, type AppConfig } from '../config';
import { temporalConnectionOptions } from '../temporal-config/connection';
import { runMain } from '../config/entry';
import { ensureLocalPostgres } from './postgres';
import { startTsProcess, waitUntil, type ManagedProcess } from './process';
import { startTemporalDev, temporalReady } from './temporal-dev';
import { projectRoot } from './tools';

const allParts = ['postgres', 'temporal', 'services', 'worker', 'relay', 'api'] as const;
type PartName = (typeof allParts)[number];

/** What a part leaves to stop: nothing when it reused something already running. */
type Started = { name: string; stop(): Promise<void>; process?: ManagedProcess } | undefined;

interface Context {
  config: AppConfig;
  dataDir: string;
  logDir: string;
  env: NodeJS.ProcessEnv;
}

function partsFromArgs(args: string[]): PartName[] {
  const unknown = args.filter((a) => !(allParts as readonly string[]).includes(a));
  if (unknown.length > 0) throw new ConfigError(`parts: unknown ${unknown.join(', ')} (known: ${allParts.join(', ')})`);
  return allParts.filter((p) => args.length === 0 || args.includes(p));
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(address.slice(i + 1)) };
}

async function startPostgres({ config, dataDir }: Context): Promise<Started> {
  if (!config.database.local) {
    console.log(`PostgreSQL   ${new URL(config.database.url).host} (DATABASE_URL)`);
    return undefined;
  }
  const pg = await ensureLocalPostgres({ dataDir, port: config.database.localPort, database: config.database.name });
  console.log(`PostgreSQL   ${config.database.url} (${pg.startedHere ? 'started' : 'running'}, data in ${pg.dataDir})`);
  return pg.startedHere ? { name: 'postgres', stop: () => pg.stop() } : undefined;
}

async function startTemporal({ config, dataDir, logDir }: Context): Promise<Started> {
  const { address, namespace, uiPort } = config.temporal;
  if (await temporalReady(address, namespace).catch(() => false)) {
    console.log(`Temporal     ${address} (already running)`);
    return undefined;
  }
  const { host, port } = splitAddress(address);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host) || config.temporal.tls !== undefined) {
    throw new Error(`Temporal at ${address} (namespace ${namespace}) does not answer`);
  }
  const dbFile = join(dataDir, 'temporal.sqlite');
  const server = await startTemporalDev({
    ip: host,
    port,
    uiPort,
    namespace,
    dbFile,
    logFile: join(logDir, 'temporal.log'),
  });
  console.log(`Temporal     ${address} (dev server, state in ${dbFile})`);
  console.log(`Temporal UI  http://${host}:${uiPort}`);
  return { name: 'temporal', stop: () => server.stop(), process: server.process };
}

/**
 * Starts one of our TypeScript entry points as a supervised child (output to `<name>.log`) and
 * resolves once `ready(since)` holds; stops it again and rethrows when it never gets there.
 */
async function startChild(
  { logDir, env }: Context,
  name: string,
  script: string,
  ready: (since: number, proc: ManagedProcess) => Promise<void>,
): Promise<Started> {
  const since = Date.now();
  const proc = startTsProcess(name, script, { cwd: projectRoot, env, logFile: join(logDir, `${name}.log`) });
  try {
    await ready(since, proc);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { name, stop: () => proc.stop(), process: proc };
}

const startServices = (ctx: Context): Promise<Started> =>
  startChild(ctx, 'services', 'apps/services/main.ts', async (_since, proc) => {
    for (const name of serviceNames) {
      const { url } = ctx.config.services[name];
      await waitUntil(`${name} service at ${url}`, async () => (await fetch(new URL('/health', url))).ok, {
        process: proc,
      });
      console.log(`service      ${name} ${url}`);
    }
  });

/** True once a worker started after `since` polls the task queue. */
async function workerPolling(config: AppConfig, since: number): Promise<boolean> {
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const { pollers } = await connection.workflowService.describeTaskQueue({
      namespace: config.temporal.namespace,
      taskQueue: { name: config.temporal.taskQueue },
    });
    return (pollers ?? []).some((p) => Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since - 1000);
  } finally {
    await connection.close();
  }
}

const startWorker = (ctx: Context): Promise<Started> =>
  startChild(ctx, 'worker', 'apps/worker/main.ts', async (since, proc) => {
    const queue = ctx.config.temporal.taskQueue;
    await waitUntil(`worker on task queue ${queue}`, () => workerPolling(ctx.config, since), {
      process: proc,
      timeoutMs: 120_000,
    });
    console.log(`worker       task queue ${queue}`);
  });

/** True once an outbox relay started after `since` is listening on the database. */
async function relayListening(config: AppConfig, since: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: config.database.url });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'outbox-relay' AND backend_start >= to_timestamp($1 / 1000.0)`,
      [since - 1000],
    );
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

const startRelay = (ctx: Context): Promise<Started> =>
  startChild(ctx, 'relay', 'apps/relay/main.ts', async (since, proc) => {
    await waitUntil('outbox relay', () => relayListening(ctx.config, since), { process: proc });
    console.log('relay        order outbox → Temporal');
  });

const startApi = (ctx: Context): Promise<Started> =>
  startChild(ctx, 'api', 'apps/api/main.ts', async (_since, proc) => {
    const { url } = ctx.config.api;
    await waitUntil(`HTTP API at ${url}`, async () => (await fetch(new URL('/health', url))).ok, { process: proc });
    console.log(`api          ${url}`);
  });

const starters: Record<PartName, (ctx: Context) => Promise<Started>> = {
  postgres: startPostgres,
  temporal: startTemporal,
  services: startServices,
  worker: startWorker,
  relay: startRelay,
  api: startApi,
};

/**
 * `npm start [-- part ...]`: PostgreSQL, the Temporal dev server, the services, the worker, the
 * outbox relay and the HTTP API (or
 * only the named parts; `npm run temporal` is `temporal` alone). Each is reused when already
 * running, otherwise started and awaited until healthy. Ctrl-C stops, in reverse order, exactly
 * what this process started; a part that dies stops the rest and exits with 1.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const parts = partsFromArgs(process.argv.slice(2));
  const dataDir = resolve(config.dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // The dev stack reconciles every two minutes unless told otherwise, so its reports show up soon.
  const env = {
    ...process.env,
    DATABASE_URL: config.database.url,
    RECONCILE_INTERVAL: process.env.RECONCILE_INTERVAL ?? '2m',
  };
  const ctx: Context = { config, dataDir, logDir, env };

  const started: NonNullable<Started>[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const part of [...started].reverse()) {
        console.log(`stopping ${part.name}`);
        await part.stop().catch((err: unknown) => console.error(`stopping ${part.name} failed:`, err));
      }
    })());
  const exitAfterStop = (code: number) => void stopAll().then(() => process.exit(code));
  process.once('SIGINT', () => exitAfterStop(0));
  process.once('SIGTERM', () => exitAfterStop(0));

  try {
    for (const name of parts) {
      const part = await starters[name](ctx);
      if (part === undefined) continue;
      started.push(part);
      void part.process?.exited.then((code) => {
        if (stopping) return;
        console.error(`${part.name} exited unexpectedly (code ${code}); see ${join(logDir, `${part.name}.log`)}`);
        exitAfterStop(1);
      });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  console.log(`logs in ${logDir}; ready. Ctrl-C stops everything started here.`);
  await new Promise<never>(() => undefined);
}

runMain(run);
