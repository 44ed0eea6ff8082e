import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import {
  ConfigError,
  devServiceTokensPath,
  loadConfig,
  serviceNames,
  temporalEngines,
  type AppConfig,
  type TemporalEngine,
} from '../config';
import { temporalConnectionOptions } from '../temporal-config/connection';
import { runMain } from '../config/entry';
import { ensureLocalPostgres } from './postgres';
import { killAllProcesses, startTsProcess, waitUntil, type ManagedProcess } from './process';
import { ensureServiceTokensFile } from './service-tokens';
import { ensureLocalRedis } from './redis';
import { onStopSignals } from './stop-signals';
import { startTemporalDev, temporalReady } from './temporal-dev';
import { serverDatabase, serverPortCount, startTemporalServer, startTemporalUi } from './temporal-server';
import { natsReady, startNats } from './nats';
import { projectRoot } from './tools';

const allParts = [
  'postgres',
  'nats',
  'redis',
  'temporal',
  'services',
  'worker',
  'relay',
  'activity',
  'api',
  'codec',
] as const;
type PartName = (typeof allParts)[number];

/**
 * What a part leaves to stop: nothing when it reused something already running. `kill` is the
 * forced stop of a part that is no process of ours (the cluster that pg_ctl daemonised).
 */
type Started =
  | {
      name: string;
      stop(): Promise<void>;
      kill?(): Promise<void>;
      process?: ManagedProcess;
      /** Further processes of the part whose exit is as fatal as its own (the Web UI next to the server). */
      also?: ManagedProcess[];
    }
  | undefined;

interface Context {
  config: AppConfig;
  dataDir: string;
  logDir: string;
  env: NodeJS.ProcessEnv;
  /** Aborted when a stop is asked for, so a part still starting gives up waiting. */
  signal: AbortSignal;
}

/**
 * `[--engine dev|server] [part ...]`: the engine flag (also `--engine=server`) overrides
 * TEMPORAL_ENGINE; the rest name parts.
 */
function parseArgs(args: string[]): { engine?: TemporalEngine; parts: PartName[] } {
  const rest: string[] = [];
  let engine: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--engine') engine = args[++i] ?? '';
    else if (arg.startsWith('--engine=')) engine = arg.slice('--engine='.length);
    else rest.push(arg);
  }
  if (engine !== undefined && !(temporalEngines as readonly string[]).includes(engine)) {
    throw new ConfigError(`--engine: must be one of ${temporalEngines.join(', ')} (got "${engine}")`);
  }
  return { ...(engine !== undefined ? { engine: engine as TemporalEngine } : {}), parts: partsFromArgs(rest) };
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
  return pg.startedHere ? { name: 'postgres', stop: () => pg.stop(), kill: () => pg.stop('immediate') } : undefined;
}

async function startBroker({ config, dataDir, logDir }: Context): Promise<Started> {
  const { servers, local, localPort, user, password, token } = config.nats;
  if (!local) {
    console.log(`NATS         ${servers.join(', ')} (NATS_URL)`);
    return undefined;
  }
  const url = servers[0]!;
  const auth = { ...(user !== undefined ? { user, pass: password } : {}), ...(token !== undefined ? { token } : {}) };
  if (await natsReady(url, auth).catch(() => false)) {
    console.log(`NATS         ${url} (already running)`);
    return undefined;
  }
  const storeDir = join(dataDir, 'nats');
  const server = await startNats({
    host: '127.0.0.1',
    port: localPort,
    storeDir,
    logFile: join(logDir, 'nats.log'),
    ...(user !== undefined ? { user, password } : {}),
    ...(token !== undefined ? { token } : {}),
  });
  console.log(`NATS         ${server.url} (JetStream, store in ${storeDir})`);
  return { name: 'nats', stop: () => server.stop(), process: server.process };
}

async function startRedisPart({ config, dataDir, logDir }: Context): Promise<Started> {
  if (!config.redis.local) {
    console.log(`Redis        ${new URL(config.redis.url).host} (REDIS_URL)`);
    return undefined;
  }
  const redis = await ensureLocalRedis({
    port: config.redis.localPort,
    dataDir: join(dataDir, 'redis'),
    logFile: join(logDir, 'redis.log'),
  });
  const how = redis.process ? `started, append-only file in ${join(dataDir, 'redis')}` : 'running';
  console.log(`Redis        ${redis.url} (${how})`);
  return redis.process ? { name: 'redis', stop: () => redis.stop(), process: redis.process } : undefined;
}

async function startTemporal(ctx: Context): Promise<Started> {
  const { config, dataDir, logDir } = ctx;
  const { address, namespace, uiPort } = config.temporal;
  if (await temporalReady(address, namespace).catch(() => false)) {
    console.log(`Temporal     ${address} (already running)`);
    return undefined;
  }
  const { host, port } = splitAddress(address);
  if (!['127.0.0.1', 'localhost', '::1'].includes(host) || config.temporal.tls !== undefined) {
    throw new Error(`Temporal at ${address} (namespace ${namespace}) does not answer`);
  }
  if (config.temporal.engine === 'server') return startProductionTemporal(ctx, port);
  const dbFile = join(dataDir, 'temporal.sqlite');
  const server = await startTemporalDev({
    ip: host,
    port,
    uiPort,
    // The UI asks the codec server to decode payloads (it answers only with the bearer token).
    ...(config.payloadKeys.length > 0 ? { uiCodecEndpoint: `${config.codecServer.url}/codec` } : {}),
    namespace,
    dbFile,
    logFile: join(logDir, 'temporal.log'),
  });
  console.log(`Temporal     ${address} (dev server, state in ${dbFile})`);
  console.log(`Temporal UI  http://${host}:${uiPort}`);
  return { name: 'temporal', stop: () => server.stop(), process: server.process };
}

/**
 * `--engine server`: the production Temporal server on the project's PostgreSQL cluster (databases
 * `temporal` and `temporal_visibility` next to `saga`), built on first use, and the standalone Web
 * UI server in front of it on TEMPORAL_UI_PORT.
 */
async function startProductionTemporal({ config, logDir, signal }: Context, port: number): Promise<Started> {
  const { namespace, uiPort } = config.temporal;
  if (port + serverPortCount > 32768) {
    throw new ConfigError(
      `TEMPORAL_ADDRESS: the production server binds ${serverPortCount} ports from ${port} on, all below 32768; choose a port below ${32768 - serverPortCount}`,
    );
  }
  const build = spawnSync('bash', [join(projectRoot, 'provision', 'temporal-server.sh')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('installing the production Temporal server failed (see above)');
  const db = serverDatabase(config.database.url);
  const server = await startTemporalServer({ port, db, namespace, logFile: join(logDir, 'temporal.log') });
  console.log(
    `Temporal     ${server.address} (production server v1.32, PostgreSQL ${db.host}:${db.port}/${db.database})`,
  );
  try {
    const ui = await startTemporalUi({
      temporalAddress: server.address,
      port: uiPort,
      namespace,
      ...(config.payloadKeys.length > 0 ? { codecEndpoint: `${config.codecServer.url}/codec` } : {}),
      logFile: join(logDir, 'temporal-ui.log'),
      signal,
    });
    console.log(`Temporal UI  ${ui.url} (temporal-ui-server)`);
    return {
      name: 'temporal',
      stop: async () => {
        await ui.stop();
        await server.stop();
      },
      process: server.process,
      also: [ui.process],
    };
  } catch (err) {
    await server.stop();
    throw err;
  }
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
        signal: ctx.signal,
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
      signal: ctx.signal,
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
    await waitUntil('outbox relay', () => relayListening(ctx.config, since), {
      process: proc,
      signal: ctx.signal,
    });
    console.log('relay        order outbox → Temporal; events outboxes → JetStream');
  });

const startActivity = (ctx: Context): Promise<Started> =>
  startChild(ctx, 'activity', 'apps/activity/main.ts', async (_since, proc) => {
    const { url } = ctx.config.activity;
    await waitUntil(`customer activity at ${url}`, async () => (await fetch(new URL('/health', url))).ok, {
      process: proc,
      signal: ctx.signal,
    });
    console.log(`activity     ${url} (customer-activity read model, events from JetStream)`);
  });

const startApi = (ctx: Context): Promise<Started> =>
  startChild(ctx, 'api', 'apps/api/main.ts', async (_since, proc) => {
    const { url } = ctx.config.api;
    await waitUntil(`HTTP API at ${url}`, async () => (await fetch(new URL('/health', url))).ok, {
      process: proc,
      signal: ctx.signal,
    });
    console.log(`api          ${url}`);
  });

const startCodecServer = async (ctx: Context): Promise<Started> => {
  if (ctx.config.payloadKeys.length === 0) {
    console.log('codec        off: PAYLOAD_KEYS is not set, payloads are NOT encrypted');
    return undefined;
  }
  return startChild(ctx, 'codec-server', 'apps/codec-server/main.ts', async (_since, proc) => {
    const { url } = ctx.config.codecServer;
    await waitUntil(`codec server at ${url}`, async () => (await fetch(new URL('/health', url))).ok, {
      process: proc,
      signal: ctx.signal,
    });
    console.log(`codec        ${url} (Web UI decodes with its bearer token)`);
  });
};

const starters: Record<PartName, (ctx: Context) => Promise<Started>> = {
  postgres: startPostgres,
  nats: startBroker,
  redis: startRedisPart,
  temporal: startTemporal,
  services: startServices,
  worker: startWorker,
  relay: startRelay,
  activity: startActivity,
  api: startApi,
  codec: startCodecServer,
};

/**
 * `npm start [-- [--engine dev|server] part ...]`: PostgreSQL, NATS (JetStream), Redis (the flash-sale
 * gate), the Temporal dev server (with `--engine server` the production server on PostgreSQL and its
 * Web UI), the services, the worker, the relays, the customer-activity read model and the HTTP API (or only the named parts; `npm run temporal` is `temporal` alone,
 * `npm run postgres` the cluster alone). Each is reused when already running, otherwise started
 * and awaited until healthy. SIGINT or SIGTERM stops, in reverse order, exactly what this process
 * started and exits with 0; a second signal a second or more later kills what is left and exits
 * with 1. A part that dies stops the rest and exits with 1. When everything was reused there is
 * nothing to supervise and it exits with 0 at once.
 */
async function run(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const loaded = loadConfig();
  const config = args.engine ? { ...loaded, temporal: { ...loaded.temporal, engine: args.engine } } : loaded;
  const parts = args.parts;
  const dataDir = resolve(config.dataDir);
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // Services and their callers share one token file; the first start writes it, owner-only.
  const tokensFile = config.serviceTokens?.file ?? devServiceTokensPath(dataDir);
  if (parts.some((p) => p === 'services' || p === 'worker' || p === 'api')) {
    const wrote = ensureServiceTokensFile(tokensFile);
    console.log(`tokens       ${tokensFile} (${wrote ? 'generated' : 'kept'}; the operator token seeds data)`);
  }
  // The dev stack reconciles every two minutes unless told otherwise, so its reports show up soon.
  const env = {
    ...process.env,
    DATABASE_URL: config.database.url,
    ...(existsSync(tokensFile) ? { SERVICE_TOKENS_FILE: tokensFile } : {}),
    REDIS_URL: config.redis.url,
    RECONCILE_INTERVAL: process.env.RECONCILE_INTERVAL ?? '2m',
  };
  const abort = new AbortController();
  const ctx: Context = { config, dataDir, logDir, env, signal: abort.signal };

  const started: NonNullable<Started>[] = [];
  let starting: Promise<unknown> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      abort.abort();
      // A part still starting either gives up (its wait is aborted) or joins `started` first.
      await starting.catch(() => undefined);
      for (const part of [...started].reverse()) {
        console.log(`stopping ${part.name}`);
        await part.stop().catch((err: unknown) => console.error(`stopping ${part.name} failed:`, err));
      }
    })());
  const exitAfterStop = (code: number) => void stopAll().then(() => process.exit(code));
  onStopSignals({
    stop: (signal) => {
      console.log(`${signal}: stopping what was started here (send it again to force)`);
      exitAfterStop(0);
    },
    force: (signal) => {
      console.error(`${signal} again: killing what is left`);
      killAllProcesses();
      const kills = started.flatMap((p) => (p.kill ? [p.kill().catch(() => undefined)] : []));
      void Promise.all(kills).then(() => process.exit(1));
    },
  });

  try {
    for (const name of parts) {
      if (stopping) break;
      // Recorded before anyone awaits it, so a stop that waits for `starting` also stops this part.
      const next = starters[name](ctx).then((part) => {
        if (part !== undefined) started.push(part);
        return part;
      });
      starting = next;
      const part = await next;
      if (part === undefined) continue;
      for (const proc of [part.process, ...(part.also ?? [])]) {
        void proc?.exited.then((code) => {
          if (stopping) return;
          console.error(`${proc.name} exited unexpectedly (code ${code}); see the logs in ${logDir}`);
          exitAfterStop(1);
        });
      }
    }
  } catch (err) {
    if (stopping) return; // the stop signal made the part give up; the signal's handler exits
    await stopAll();
    throw err;
  }
  if (stopping) return;
  if (started.length === 0) {
    console.log('everything was already running; nothing started here, so nothing to supervise.');
    return;
  }
  console.log(`logs in ${logDir}; ready. Ctrl-C or SIGTERM stops everything started here.`);
  // A part without a child process of ours (the cluster pg_ctl daemonised) leaves nothing that
  // keeps the event loop alive, so the supervisor would exit at once without this.
  setInterval(() => undefined, 1 << 30);
}

runMain(run);
