import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startServices, type RunningServices } from '../apps/services';
import { keepAsOrphans, temporalDelivery } from '../apps/services/temporal-delivery';
import {
  devServiceTokensPath,
  loadConfig,
  requireServiceTokens,
  serviceNames,
  type AppConfig,
  type ServiceName,
} from '../config';
import { generateServiceTokens, type DevCaller, type ServiceTokensFile } from '../config/service-tokens';
import { createLogger } from '../config/logger';
import { dropDatabase, ensureLocalPostgres, recreateDatabase, type LocalPostgres } from './postgres';
import { freePort, startTsProcess, waitUntil, type ManagedProcess } from './process';
import { ensureServiceTokensFile } from './service-tokens';
import { startTemporalDev, type DevServer } from './temporal-dev';
import { freeServerPort, serverDatabase, startTemporalServer } from './temporal-server';
import { projectRoot } from './tools';

export interface ScratchTemporal {
  /** The dev server or the production one: its frontend, its process and how to stop it. */
  server: Pick<DevServer, 'address' | 'process' | 'stop'>;
  connection: Connection;
  client: Client;
}

export interface ScratchStack {
  databaseUrl: string;
  services: RunningServices;
  /** The tokens the services accept, made for this stack: `worker` for activities, `operator` for seeding. */
  tokens: ServiceTokensFile & { callers: Record<DevCaller, string> };
  /** Set when asked for: an in-memory dev server on a free port and a client to it. */
  temporal?: ScratchTemporal;
  close(): Promise<void>;
}

/** How a scratch dev server keeps its state: in memory unless `dbFile` is given. */
export interface ScratchTemporalOptions {
  /**
   * `server`: the production Temporal server, its stores in two fresh databases on the same
   * cluster (`<name>_temporal`, `<name>_temporal_visibility`, dropped on close). Default `dev`.
   */
  engine?: 'dev' | 'server';
  /** A SQLite file (deleted with its WAL files on close), with these pragmas (dev server only). */
  dbFile?: string;
  sqlitePragmas?: Record<string, string>;
  extraDynamicConfig?: Record<string, string | number | boolean>;
  logFile?: string;
}

type Stops = (() => Promise<void>)[];

/** Runs every stop, last started first; a failing one does not keep the others from running. */
async function stopAll(stops: Stops): Promise<void> {
  let first: Error | undefined;
  for (const stop of stops.reverse())
    await stop().catch((err: unknown) => (first ??= err instanceof Error ? err : new Error(String(err))));
  if (first) throw first;
}

/** Builds a stack with `build`; stops what it started when it fails, and leaves `close` to stop all. */
async function withStops<T>(build: (stops: Stops) => Promise<T>): Promise<T & { close(): Promise<void> }> {
  const stops: Stops = [];
  const close = () => stopAll(stops);
  try {
    return { ...(await build(stops)), close };
  } catch (err) {
    await close().catch(() => undefined); // the build's own error says more
    throw err;
  }
}

async function scratchDatabase(config: AppConfig, database: string, stops: Stops) {
  const cluster = await ensureLocalPostgres({
    dataDir: join(projectRoot, config.dataDir),
    port: config.database.localPort,
    database: 'saga',
  });
  if (cluster.startedHere) stops.push(() => cluster.stop());
  await recreateDatabase(cluster.url('postgres'), database);
  return { cluster, databaseUrl: cluster.url(database) };
}

async function scratchProductionTemporal(
  name: string,
  cluster: LocalPostgres,
  opts: ScratchTemporalOptions,
  stops: Stops,
): Promise<ScratchTemporal> {
  const admin = cluster.url('postgres');
  const db = serverDatabase(admin, { database: `${name}_temporal`, visibilityDatabase: `${name}_temporal_visibility` });
  for (const d of [db.database, db.visibilityDatabase]) await dropDatabase(admin, d);
  stops.push(async () => {
    for (const d of [db.database, db.visibilityDatabase]) await dropDatabase(admin, d);
  });
  const server = await startTemporalServer({
    port: await freeServerPort(),
    db,
    namespace: 'default',
    logFile: opts.logFile ?? join(projectRoot, '.data', 'logs', `temporal-server-${name}.log`),
  });
  stops.push(() => server.stop());
  const connection = await Connection.connect({ address: server.address });
  stops.push(() => connection.close());
  return { server, connection, client: new Client({ connection }) };
}

async function scratchTemporal(name: string, opts: ScratchTemporalOptions, stops: Stops): Promise<ScratchTemporal> {
  const server = await startTemporalDev({
    ip: '127.0.0.1',
    port: await freePort(),
    namespace: 'default',
    logFile: opts.logFile ?? join(projectRoot, '.data', 'logs', `temporal-${name}.log`),
    ...(opts.dbFile !== undefined ? { dbFile: opts.dbFile } : {}),
    ...(opts.sqlitePragmas ? { sqlitePragmas: opts.sqlitePragmas } : {}),
    ...(opts.extraDynamicConfig ? { extraDynamicConfig: opts.extraDynamicConfig } : {}),
  });
  const { dbFile } = opts;
  stops.push(async () => {
    await server.stop();
    if (dbFile !== undefined) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  });
  const connection = await Connection.connect({ address: server.address });
  stops.push(() => connection.close());
  return { server, connection, client: new Client({ connection }) };
}

/**
 * A throwaway stack for scripts (history recording, benchmarks): a fresh `database` on the
 * project-local cluster, the named services in this process on free ports, and optionally an
 * in-memory dev server. `close` stops everything it started, the cluster too if it started it.
 */
export async function scratchStack(opts: {
  database: string;
  services: ServiceName[];
  temporal?: boolean;
  poolSize?: number;
  /** The gateway simulator's timings, when the defaults are too slow for a script. */
  gatewayTimings?: Partial<AppConfig['gateway']['timings']>;
  /** The inventory's flash-sale gate: a Redis and the shard count of new sales. */
  flashSaleGate?: { url: string; shards: number };
}): Promise<ScratchStack> {
  const config = loadConfig();
  return withStops(async (stops) => {
    const { databaseUrl } = await scratchDatabase(config, opts.database, stops);
    const temporal = opts.temporal ? await scratchTemporal(opts.database, {}, stops) : undefined;
    const tokens = generateServiceTokens();
    const services = await startServices({
      tokens,
      databaseUrl,
      services: opts.services.map((name) => ({ name, host: '127.0.0.1', port: 0 })),
      logger: createLogger('scratch', 'silent'),
      links: {
        // Callbacks go to the billing service started here, on its free port.
        gateway: {
          ...config.gateway,
          callbackUrl: undefined,
          timings: { ...config.gateway.timings, ...opts.gatewayTimings },
        },
        deliver: temporal ? temporalDelivery(temporal.client) : keepAsOrphans,
        ...(opts.flashSaleGate ? { flashSaleGate: opts.flashSaleGate } : {}),
      },
      ...(opts.poolSize ? { poolSize: opts.poolSize } : {}),
    });
    stops.push(() => services.close());
    return { databaseUrl, services, tokens, ...(temporal ? { temporal } : {}) };
  });
}

export interface ProcessStack {
  databaseUrl: string;
  /** The PostgreSQL cluster, and its postmaster's pid (its process tree is the database's cost). */
  cluster: LocalPostgres;
  postmasterPid: number;
  temporal: ScratchTemporal;
  /** Every service, in one services-host process (apps/services/main.ts). */
  services: ManagedProcess;
  urls: Record<ServiceName, string>;
  /** The service tokens (the dev stack's file, written on first use): each caller's bearer token. */
  tokens: ServiceTokensFile;
  /** The environment that points a process (a worker) at this stack, SERVICE_TOKENS_FILE included. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/**
 * A throwaway stack whose parts are separate processes, so each can be measured (the benchmark):
 * a fresh `database`, a dev server (durable when `temporal.dbFile` is set) or with
 * `temporal.engine: 'server'` the production server on the same cluster, and the services host
 * with every service on free ports, started with `env` on top of this process's environment.
 * Fails when a part is not ready in time; `close` stops everything it started.
 */
export async function scratchProcessStack(opts: {
  database: string;
  temporal: ScratchTemporalOptions;
  env?: NodeJS.ProcessEnv;
  servicesLogFile?: string;
}): Promise<ProcessStack> {
  const config = loadConfig();
  return withStops(async (stops) => {
    const { cluster, databaseUrl } = await scratchDatabase(config, opts.database, stops);
    const postmasterPid = Number(readFileSync(join(cluster.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const temporal =
      opts.temporal.engine === 'server'
        ? await scratchProductionTemporal(opts.database, cluster, opts.temporal, stops)
        : await scratchTemporal(opts.database, opts.temporal, stops);
    const tokensFile = config.serviceTokens?.file ?? devServiceTokensPath(join(projectRoot, config.dataDir));
    ensureServiceTokensFile(tokensFile);
    const tokens = requireServiceTokens(loadConfig({ ...process.env, SERVICE_TOKENS_FILE: tokensFile }));
    const ports = Object.fromEntries(await Promise.all(serviceNames.map(async (n) => [n, await freePort()] as const)));
    const urls = Object.fromEntries(serviceNames.map((n) => [n, `http://127.0.0.1:${ports[n]}`])) as Record<
      ServiceName,
      string
    >;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.server.address,
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
      SERVICE_TOKENS_FILE: tokensFile,
      ...opts.env,
      ...Object.fromEntries(
        serviceNames.flatMap((n) => [
          [`${n.toUpperCase()}_PORT`, String(ports[n])],
          [`${n.toUpperCase()}_URL`, urls[n]],
        ]),
      ),
    };
    const services = startTsProcess('services', join(projectRoot, 'apps/services/main.ts'), {
      env,
      logFile: opts.servicesLogFile ?? join(projectRoot, '.data', 'logs', `services-${opts.database}.log`),
    });
    stops.push(() => services.stop());
    const healthy = (n: ServiceName) =>
      fetch(`${urls[n]}/health`).then(
        (r) => r.ok,
        () => false,
      );
    await waitUntil('the services', async () => (await Promise.all(serviceNames.map(healthy))).every(Boolean), {
      process: services,
      timeoutMs: 60_000,
    });
    return { databaseUrl, cluster, postmasterPid, temporal, services, urls, tokens, env };
  });
}
