import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer, connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM to the whole process group, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ManagedProcess>();
// Last resort when the parent exits without stopping its children: leave no process behind.
process.on('exit', () => killAllProcesses());

/**
 * SIGKILL to the process group of every process started here that still runs, for a forced stop
 * that cannot wait for graceful shutdowns. Never throws; a group already gone is skipped.
 */
export function killAllProcesses(): void {
  for (const p of running) killGroup(p.child, 'SIGKILL');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Starts a long-running process in its own process group, with output appended to `logFile`
 * (or inherited when omitted), so stopping it also stops anything it spawned.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string } = {},
): ManagedProcess {
  const log = opts.logFile === undefined ? undefined : createWriteStream(opts.logFile, { flags: 'a' });
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', log ? 'pipe' : 'inherit', log ? 'pipe' : 'inherit'],
  });
  if (log) {
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(null));
  });
  const managed: ManagedProcess = {
    name,
    child,
    exited,
    async stop(graceMs = 10_000) {
      killGroup(child, 'SIGTERM');
      const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs).then(() => true)]);
      if (timedOut) {
        killGroup(child, 'SIGKILL');
        await exited;
      }
      running.delete(managed);
    },
  };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}

/** Runs a TypeScript entry file in one node process (no wrapper between a signal and the code). */
export function startTsProcess(
  name: string,
  script: string,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string } = {},
): ManagedProcess {
  return startProcess(name, process.execPath, ['--import', 'tsx', script], opts);
}

/**
 * Polls `check` until it returns true. Fails with `what` in the message after `timeoutMs`, at
 * once when `process` exits first, and at the next poll once `signal` is aborted (a stop asked
 * for while this part was still starting).
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; process?: ManagedProcess; signal?: AbortSignal } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let exited = false;
  void opts.process?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what}: process ${opts.process?.name} exited before it was ready`);
    if (opts.signal?.aborted) throw new Error(`${what}: stopped before it was ready`);
    if (await check().catch(() => false)) return;
    await sleep(opts.intervalMs ?? 200, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  throw new Error(`${what}: not ready after ${opts.timeoutMs ?? 60_000} ms`);
}

/** True when something accepts TCP connections on host:port. */
export function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * A free TCP port on 127.0.0.1 below the kernel's ephemeral range (which outgoing connections
 * draw from), for ports that are chosen now and bound later by another process: no client
 * connection can take such a port in between.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port found in 20000-31999');
}
