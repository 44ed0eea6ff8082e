import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, appendFileSync, chownSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { localDatabaseUrl } from '../config';

const run = promisify(execFile);
const SUPERUSER = 'saga';
const POSTGRES_MAJOR = 15;

export interface LocalPostgres {
  /** Connection URL for `database` on the local cluster. */
  url(database: string): string;
  readonly dataDir: string;
  /** True when this call started the server (and so `stop` should stop it). */
  readonly startedHere: boolean;
  /**
   * Stops the server and waits until it is down: `fast` (the default) rolls back open
   * transactions and checkpoints; `immediate` aborts at once (recovery runs on the next start).
   * Rejects with pg_ctl's error when the server cannot be stopped.
   */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
}

function binDir(): string {
  const candidates = [process.env.PG_BIN_DIR, `/usr/lib/postgresql/${POSTGRES_MAJOR}/bin`];
  const dir = candidates.find((d): d is string => d !== undefined && existsSync(join(d, 'initdb')));
  if (dir === undefined) {
    throw new Error(
      `PostgreSQL server binaries not found (looked in ${candidates.filter(Boolean).join(', ')}); ` +
        `install postgresql-${POSTGRES_MAJOR}, set PG_BIN_DIR, or set DATABASE_URL`,
    );
  }
  return dir;
}

const isRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, every server command runs as the postgres user. */
async function pgCommand(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return isRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args);
}

async function postgresCanReach(dir: string): Promise<boolean> {
  if (!isRoot) return true;
  return run('runuser', ['-u', 'postgres', '--', 'test', '-x', dir]).then(
    () => true,
    () => false,
  );
}

/**
 * Where the cluster lives: `<dataDir>/pg` (owned by the postgres user when running as root), or,
 * when the postgres user cannot even pass through the project's folder (e.g. under /root), a
 * folder under /var/tmp named after the project path.
 */
async function clusterDir(dataDir: string): Promise<string> {
  const base = resolve(dataDir);
  mkdirSync(base, { recursive: true });
  if (await postgresCanReach(base)) return join(base, 'pg');
  const alt = `/var/tmp/saga-pg-${createHash('sha256').update(base).digest('hex').slice(0, 12)}`;
  return alt;
}

/**
 * Makes sure a project-local cluster runs on 127.0.0.1:`port` with a `database` in it: initdb on
 * first use, start when stopped, reuse when running. Throws with the server log's tail when the
 * server does not come up (for example, when the port is taken).
 */
export async function ensureLocalPostgres(opts: {
  dataDir: string;
  port: number;
  database: string;
}): Promise<LocalPostgres> {
  const bin = binDir();
  const pgdata = await clusterDir(opts.dataDir);
  const logFile = join(pgdata, 'server.log');

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    mkdirSync(pgdata, { recursive: true, mode: 0o700 });
    if (isRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(pgdata, Number(stdout.trim()), Number(gid.trim()));
    }
    await pgCommand(join(bin, 'initdb'), [
      '-D',
      pgdata,
      '-U',
      SUPERUSER,
      '--auth=trust',
      '--encoding=UTF8',
      '--no-locale',
    ]);
    // Loopback only, our own port, the socket inside the data folder (no /var/run permissions needed).
    appendFileSync(
      join(pgdata, 'postgresql.conf'),
      [
        '',
        '# saga-orchestra: project-local cluster',
        `listen_addresses = '127.0.0.1'`,
        `port = ${opts.port}`,
        `unix_socket_directories = '${pgdata}'`,
        'max_connections = 300',
        'shared_buffers = 256MB',
        '',
      ].join('\n'),
    );
  }

  const status = await pgCommand(join(bin, 'pg_ctl'), ['status', '-D', pgdata]).then(
    () => 'running',
    () => 'stopped',
  );
  let startedHere = false;
  if (status === 'stopped') {
    try {
      await pgCommand(join(bin, 'pg_ctl'), [
        'start',
        '-D',
        pgdata,
        '-l',
        logFile,
        '-w',
        '-t',
        '60',
        '-o',
        `-p ${opts.port}`,
      ]);
      startedHere = true;
    } catch (err) {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n') : '';
      throw new Error(`PostgreSQL in ${pgdata} did not start on port ${opts.port}: ${String(err)}\n${tail}`);
    }
  }

  const url = (database: string) => localDatabaseUrl(opts.port, database);
  await createDatabaseIfMissing(url('postgres'), opts.database);

  return {
    url,
    dataDir: pgdata,
    startedHere,
    async stop(mode = 'fast') {
      await pgCommand(join(bin, 'pg_ctl'), ['stop', '-D', pgdata, '-m', mode, '-w']);
    },
  };
}

/** Runs `work` on one connection to the admin database, closed afterwards. */
async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const dropStatement = (database: string) => `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`;

/** CREATE DATABASE when absent; a concurrent creator winning the race is fine. */
export function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  return withAdmin(adminUrl, async (client) => {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // duplicate_database
      });
    }
  });
}

/** Drops and recreates `database` (tests start from an empty database every run). */
export function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  return withAdmin(adminUrl, async (client) => {
    await client.query(dropStatement(database));
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  });
}

/** Drops `database` (closing its connections) if it exists. */
export function dropDatabase(adminUrl: string, database: string): Promise<void> {
  return withAdmin(adminUrl, async (client) => {
    await client.query(dropStatement(database));
  });
}

/** Drops every database whose name starts with `prefix` (left over by runs that were killed). */
export function dropDatabasesStartingWith(adminUrl: string, prefix: string): Promise<void> {
  return withAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE starts_with(datname, $1)`,
      [prefix],
    );
    for (const { datname } of rows) await client.query(dropStatement(datname));
  });
}
