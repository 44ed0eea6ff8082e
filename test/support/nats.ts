import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from '../../provision/process';
import { startNats, type NatsServer } from '../../provision/nats';
import { projectRoot } from '../../provision/tools';

export interface TestBroker {
  url: string;
  /** Kills the server (SIGKILL, no shutdown) and starts it again on the same port and file store. */
  restart(): Promise<void>;
}

/**
 * A nats-server with JetStream for the file, on a free port of 127.0.0.1 with a store folder of
 * its own; stopped and its folder removed after the file's tests.
 */
export function useNats(): TestBroker {
  let server: NatsServer | undefined;
  let storeDir = '';
  let port = 0;
  const start = async () => {
    server = await startNats({
      host: '127.0.0.1',
      port,
      storeDir,
      logFile: join(projectRoot, '.data', 'logs', `nats-test-${port}.log`),
    });
  };
  const broker: TestBroker = {
    url: '',
    async restart() {
      const pid = server?.process.child.pid;
      if (pid !== undefined) process.kill(-pid, 'SIGKILL');
      await server?.process.exited;
      await start();
    },
  };
  beforeAll(async () => {
    storeDir = mkdtempSync(join(tmpdir(), 'nats-test-'));
    port = await freePort();
    await start();
    broker.url = server!.url;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(storeDir, { recursive: true, force: true });
  });
  return broker;
}
