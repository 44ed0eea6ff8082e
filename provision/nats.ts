import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startProcess, tcpOpen, waitUntil, type ManagedProcess } from './process';
import { natsServerPath } from './tools';

export interface NatsServer {
  /** `nats://host:port`, for `NATS_URL`. */
  readonly url: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  host: string;
  port: number;
  /** JetStream's file store (created if missing); the same folder again keeps every stored message. */
  storeDir: string;
  logFile: string;
  /** Require this user and password from every client (unset: no authentication, loopback only). */
  user?: string;
  password?: string;
  /** Require this token instead. */
  token?: string;
}

/** True once a nats-server at `url` accepts a client and answers JetStream's account info. */
export async function natsReady(
  url: string,
  auth: { user?: string; pass?: string; token?: string } = {},
): Promise<boolean> {
  const { hostname, port } = new URL(url);
  if (!(await tcpOpen(hostname, Number(port)))) return false;
  const nc = await connect({ servers: url, ...auth, timeout: 2000, reconnect: false });
  try {
    await (await jetstreamManager(nc)).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}

/**
 * Starts `nats-server -js` on `host:port` with its file store in `storeDir` and waits until
 * JetStream answers. Output goes to `logFile`. Fails if the server exits or is not ready in 30 s.
 */
export async function startNats(opts: NatsServerOptions): Promise<NatsServer> {
  mkdirSync(opts.storeDir, { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const args = ['-js', '-sd', opts.storeDir, '-a', opts.host, '-p', String(opts.port), '--no_advertise'];
  if (opts.user !== undefined) args.push('--user', opts.user, '--pass', opts.password ?? '');
  if (opts.token !== undefined) args.push('--auth', opts.token);
  const proc = startProcess('nats', natsServerPath(), args, { logFile: opts.logFile });
  const url = `nats://${opts.host}:${opts.port}`;
  const auth = {
    ...(opts.user !== undefined ? { user: opts.user, pass: opts.password ?? '' } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
  };
  await waitUntil(`nats-server on ${url}`, () => natsReady(url, auth), { process: proc, timeoutMs: 30_000 });
  return { url, process: proc, stop: () => proc.stop() };
}
