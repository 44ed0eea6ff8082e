import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Connection } from '@temporalio/client';
import { devServerArgs, type DevServerOptions } from '../temporal-config/dev-server';
import { startProcess, tcpOpen, waitUntil, type ManagedProcess } from './process';
import { temporalCliPath } from './tools';

export interface DevServer {
  readonly address: string;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** True when a Temporal frontend answers at `address` and knows `namespace`. */
export async function temporalReady(address: string, namespace: string): Promise<boolean> {
  const [host, port] = [
    address.slice(0, address.lastIndexOf(':')),
    Number(address.slice(address.lastIndexOf(':') + 1)),
  ];
  if (!(await tcpOpen(host, port))) return false;
  const connection = await Connection.connect({ address, connectTimeout: 2000 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } finally {
    await connection.close();
  }
}

/**
 * Starts `temporal server start-dev` with our search attributes and dynamic config and waits until
 * the namespace answers. Output goes to `logFile`. Fails if the server exits or is not ready in 60 s.
 */
export async function startTemporalDev(opts: DevServerOptions & { logFile: string }): Promise<DevServer> {
  if (opts.dbFile !== undefined) mkdirSync(dirname(opts.dbFile), { recursive: true });
  mkdirSync(dirname(opts.logFile), { recursive: true });
  const proc = startProcess('temporal', temporalCliPath(), devServerArgs(opts), { logFile: opts.logFile });
  const address = `${opts.ip}:${opts.port}`;
  await waitUntil(`Temporal dev server on ${address}`, () => temporalReady(address, opts.namespace), {
    process: proc,
    timeoutMs: 60_000,
  });
  return { address, process: proc, stop: () => proc.stop() };
}
