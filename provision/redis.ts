import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startProcess, waitUntil, type ManagedProcess } from './process';

export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  /** Undefined when an already running server was reused. */
  readonly process?: ManagedProcess;
  /** SIGTERM (Redis finishes its AOF write and exits), SIGKILL after the grace period. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill(): Promise<void>;
}

/** True when a Redis server answers PING at `url` within a second. */
export async function redisReady(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts Debian's `redis-server` on 127.0.0.1:`port` with its data in `dataDir` and the
 * append-only file on (fsync every second: a killed server loses nothing it answered, a lost
 * machine up to a second), no RDB snapshots, and waits until it answers. Output goes to `logFile`.
 * Fails if the binary is missing, the server exits, or it does not answer in 20 s.
 */
export async function startRedis(opts: { port: number; dataDir: string; logFile?: string }): Promise<LocalRedis> {
  mkdirSync(opts.dataDir, { recursive: true });
  if (opts.logFile !== undefined) mkdirSync(join(opts.logFile, '..'), { recursive: true });
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--dir',
    opts.dataDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--save',
    '',
    '--daemonize',
    'no',
    '--protected-mode',
    'yes',
  ];
  const proc = startProcess('redis', 'redis-server', args, opts.logFile === undefined ? {} : { logFile: opts.logFile });
  const url = `redis://127.0.0.1:${opts.port}`;
  await waitUntil(`Redis on ${url}`, () => redisReady(url), { process: proc, timeoutMs: 20_000, intervalMs: 100 });
  const kill = async () => {
    if (proc.child.pid !== undefined && proc.child.exitCode === null) process.kill(-proc.child.pid, 'SIGKILL');
    await proc.exited;
  };
  return { url, port: opts.port, process: proc, stop: () => proc.stop(), kill };
}

/** The project's Redis on `port`: reused when one already answers there, otherwise started. */
export async function ensureLocalRedis(opts: { port: number; dataDir: string; logFile?: string }): Promise<LocalRedis> {
  const url = `redis://127.0.0.1:${opts.port}`;
  const nothing = () => Promise.resolve();
  if (await redisReady(url)) return { url, port: opts.port, stop: nothing, kill: nothing };
  return startRedis(opts);
}
