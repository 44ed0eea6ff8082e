import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { dynamicConfigPath } from '../temporal-config/dynamic-config';
import { ensureNamespace } from '../temporal-config/namespace';
import { registerSearchAttributes } from '../temporal-config/register-search-attributes';
import { createDatabaseIfMissing } from './postgres';
import { freePort, startProcess, tcpOpen, waitUntil, type ManagedProcess } from './process';
import { temporalReady } from './temporal-dev';
import { temporalServerPath, temporalSqlToolPath, temporalUiServerPath } from './tools';

const run = promisify(execFile);

/** The config template the production server renders itself (temporal-config/server/postgres.yaml). */
export const serverConfigPath = join(import.meta.dirname, '..', 'temporal-config', 'server', 'postgres.yaml');

/** How many ports the server binds from its frontend port on (see the config file's header). */
export const serverPortCount = 10;

export interface TemporalServerDatabase {
  host: string;
  port: number;
  user: string;
  password?: string;
  /** The default store's database (`temporal`) and the visibility store's (`temporal_visibility`). */
  database: string;
  visibilityDatabase: string;
}

export interface TemporalServerOptions {
  /** The frontend's gRPC port; the server binds this and the next nine, all below 32768. */
  port: number;
  db: TemporalServerDatabase;
  namespace: string;
  logFile: string;
  /** Only read when the cluster is created: shards cannot change once it holds data. */
  historyShards?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface TemporalServer {
  readonly address: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The production server's database settings on a PostgreSQL URL (a `postgres://user:pw@host:port/` one). */
export function serverDatabase(
  url: string,
  names = { database: 'temporal', visibilityDatabase: 'temporal_visibility' },
) {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    ...(u.password !== '' ? { password: decodeURIComponent(u.password) } : {}),
    ...names,
  } satisfies TemporalServerDatabase;
}

function adminUrl(db: TemporalServerDatabase, database = 'postgres'): string {
  const auth = `${encodeURIComponent(db.user)}${db.password !== undefined ? `:${encodeURIComponent(db.password)}` : ''}`;
  return `postgres://${auth}@${db.host}:${db.port}/${database}`;
}

async function hasSchemaVersion(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rowCount } = await client.query(
      `SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'`,
    );
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/**
 * Creates the server's two databases when missing and brings their schema to this server
 * version's with `temporal-sql-tool` (set up once, then `update-schema` to the newest, which is a
 * no-op when already there). Safe at every start.
 */
export async function setupTemporalSchema(db: TemporalServerDatabase): Promise<void> {
  const stores = [
    { database: db.database, schema: 'postgresql/v12/temporal' },
    { database: db.visibilityDatabase, schema: 'postgresql/v12/visibility' },
  ];
  for (const { database, schema } of stores) {
    await createDatabaseIfMissing(adminUrl(db), database);
    const base = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user, '--db', database];
    if (db.password !== undefined) base.push('--pw', db.password);
    const sqlTool = (...args: string[]) =>
      run(temporalSqlToolPath(), [...base, ...args]).catch((err: Error & { stderr?: string }) => {
        throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${err.stderr?.trim() || err.message}`);
      });
    if (!(await hasSchemaVersion(adminUrl(db, database)))) await sqlTool('setup-schema', '-v', '0.0');
    await sqlTool('update-schema', '--schema-name', schema);
  }
}

/** The environment the config template reads (see temporal-config/server/postgres.yaml). */
export function serverEnv(opts: TemporalServerOptions): Record<string, string> {
  return {
    SAGA_TEMPORAL_PORT: String(opts.port),
    SAGA_TEMPORAL_PG_HOST: opts.db.host,
    SAGA_TEMPORAL_PG_PORT: String(opts.db.port),
    SAGA_TEMPORAL_PG_USER: opts.db.user,
    SAGA_TEMPORAL_PG_PASSWORD: opts.db.password ?? '',
    SAGA_TEMPORAL_DB: opts.db.database,
    SAGA_TEMPORAL_VISIBILITY_DB: opts.db.visibilityDatabase,
    SAGA_TEMPORAL_HISTORY_SHARDS: String(opts.historyShards ?? 16),
    SAGA_TEMPORAL_LOG_LEVEL: opts.logLevel ?? 'warn',
    SAGA_TEMPORAL_DYNAMIC_CONFIG: dynamicConfigPath,
  };
}

/**
 * The production Temporal server on PostgreSQL: sets the schema up (or brings it up to date),
 * starts `temporal-server start` with all four services in one process, then creates the
 * namespace and registers our search attributes when missing, and waits until the namespace
 * answers. Output goes to `logFile`. Fails if the server exits or is not ready in 90 s.
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  if (opts.port + serverPortCount > 32768) {
    throw new Error(`Temporal server port ${opts.port}: its ${serverPortCount} ports must all be below 32768`);
  }
  mkdirSync(dirname(opts.logFile), { recursive: true });
  await setupTemporalSchema(opts.db);
  const proc = startProcess(
    'temporal-server',
    temporalServerPath(),
    ['--config-file', serverConfigPath, '--allow-no-auth', 'start'],
    { env: { ...process.env, ...serverEnv(opts) }, logFile: opts.logFile },
  );
  const address = `127.0.0.1:${opts.port}`;
  try {
    await waitUntil(`Temporal server on ${address}`, () => frontendServing(address), {
      process: proc,
      timeoutMs: 90_000,
    });
    const connection = await Connection.connect({ address });
    try {
      await ensureNamespace(connection, opts.namespace);
      // A new namespace reaches the frontend's cache within its refresh interval (10 s).
      await waitUntil(`namespace ${opts.namespace}`, () => temporalReady(address, opts.namespace), {
        process: proc,
        timeoutMs: 60_000,
      });
      // The operator service learns of a new namespace on its own refresh, a little later.
      const register = async () => {
        await registerSearchAttributes(connection, opts.namespace);
        return true;
      };
      await waitUntil(`search attributes in ${opts.namespace}`, register, {
        process: proc,
        timeoutMs: 60_000,
        intervalMs: 500,
      });
    } finally {
      await connection.close();
    }
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { address, process: proc, stop: () => proc.stop() };
}

/** True once the frontend answers system info (its gRPC port opens before the services have joined). */
async function frontendServing(address: string): Promise<boolean> {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  if (!(await tcpOpen('127.0.0.1', port))) return false;
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.workflowService.getSystemInfo({});
    return true;
  } finally {
    await connection.close();
  }
}

/** A frontend port whose nine followers are free too (all below 32768), for tests and benchmarks. */
export async function freeServerPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port + serverPortCount > 32768) continue;
    const rest = await Promise.all(
      Array.from({ length: serverPortCount - 1 }, (_, k) => tcpOpen('127.0.0.1', port + k + 1)),
    );
    if (rest.every((open) => !open)) return port;
  }
  throw new Error(`no ${serverPortCount} consecutive free ports found below 32768`);
}

export interface TemporalUi {
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The Web UI's config directory (temporal-config/ui/saga.yaml, rendered by the UI server itself). */
const uiConfigDir = join('temporal-config', 'ui');

/**
 * The standalone Temporal Web UI (`temporal-ui-server`, the one the dev server has built in) on
 * 127.0.0.1:`port`, in front of the server at `temporalAddress`; resolves once it answers.
 */
export async function startTemporalUi(opts: {
  temporalAddress: string;
  port: number;
  namespace: string;
  codecEndpoint?: string;
  logFile: string;
  signal?: AbortSignal;
}): Promise<TemporalUi> {
  const root = join(import.meta.dirname, '..');
  const proc = startProcess(
    'temporal-ui',
    temporalUiServerPath(),
    ['--root', root, '--config', uiConfigDir, '--env', 'saga', 'start'],
    {
      env: {
        ...process.env,
        SAGA_UI_TEMPORAL_ADDRESS: opts.temporalAddress,
        SAGA_UI_PORT: String(opts.port),
        SAGA_UI_NAMESPACE: opts.namespace,
        SAGA_UI_CODEC_ENDPOINT: opts.codecEndpoint ?? '',
      },
      logFile: opts.logFile,
    },
  );
  const url = `http://127.0.0.1:${opts.port}`;
  try {
    await waitUntil(`Temporal Web UI at ${url}`, async () => (await fetch(url)).ok, {
      process: proc,
      timeoutMs: 30_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, process: proc, stop: () => proc.stop() };
}
