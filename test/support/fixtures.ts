import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { dropDatabase } from '../../provision/postgres';
import { freeServerPort, serverDatabase, startTemporalServer } from '../../provision/temporal-server';
import { freePort } from '../../provision/process';
import { startRedis, type LocalRedis } from '../../provision/redis';
import { projectRoot } from '../../provision/tools';
import { freshDatabase, startTestServices, type TestServiceOptions } from './services';
import { devServerConnections, timeSkippingEnv } from './temporal';

export type Services = Awaited<ReturnType<typeof startTestServices>> & {
  /** This file's own database. */
  databaseUrl: string;
};

/** A time-skipping test server for the file: started before its tests, torn down after. */
export function useTimeSkippingEnv(): { env: TestWorkflowEnvironment } {
  const ctx = {} as { env: TestWorkflowEnvironment };
  beforeAll(async () => {
    ctx.env = await timeSkippingEnv();
  });
  afterAll(async () => {
    await ctx.env?.teardown();
  });
  return ctx;
}

/**
 * The participant services for the file, in process on free ports, with the real activities, over
 * a database of the file's own (dropped afterwards).
 */
export function useServices(): Services {
  return useServiceStack(undefined);
}

/**
 * The services plus client and worker connections to the run's dev server; the callback receiver
 * signals the workflows there.
 */
export function useStack(
  opts: Pick<TestServiceOptions, 'gatewayTimings' | 'logger' | 'outbox'> & {
    dataConverter?: DataConverter;
    /** The flash-sale gate's Redis, asked for once the file's Redis is up (see useRedis). */
    flashSaleGate?: () => { url: string; shards: number };
  } = {},
): Services & { client: Client; nativeConnection: NativeConnection } {
  const { dataConverter, flashSaleGate, ...options } = opts;
  return useServiceStack(async () => devServerConnections(dataConverter), options, flashSaleGate);
}

/**
 * The services plus client and worker connections to a production Temporal server of the file's
 * own (`temporal-server` v1.32, all four services in one process) on two fresh PostgreSQL
 * databases next to the run's test database; everything is stopped and dropped afterwards.
 * `address` is its frontend, for worker processes.
 */
export function useProductionStack(): Services & {
  client: Client;
  nativeConnection: NativeConnection;
  address: string;
} {
  const ctx = { address: '' };
  const stack = useServiceStack(async () => {
    const suffix = randomUUID().slice(0, 8);
    const url = new URL(inject('databaseUrl'));
    const base = url.pathname.slice(1);
    url.pathname = '/postgres';
    const db = serverDatabase(url.toString(), {
      database: `${base}_temporal_${suffix}`,
      visibilityDatabase: `${base}_temporal_visibility_${suffix}`,
    });
    const server = await startTemporalServer({
      port: await freeServerPort(),
      db,
      namespace: 'default',
      logFile: join(projectRoot, '.data', 'logs', `temporal-server-test-${suffix}.log`),
    });
    ctx.address = server.address;
    const connection = await Connection.connect({ address: server.address });
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    return {
      client: new Client({ connection }),
      nativeConnection,
      async close() {
        await nativeConnection.close();
        await connection.close();
        await server.stop();
        for (const name of [db.database, db.visibilityDatabase]) await dropDatabase(url.toString(), name);
      },
    };
  });
  return Object.defineProperty(stack, 'address', { get: () => ctx.address }) as typeof stack & { address: string };
}

/**
 * A Redis server of the file's own on a free port on 127.0.0.1 (append-only file on, in a folder
 * removed afterwards): `kill` crashes it with SIGKILL, `start` starts it again on the same port
 * over the same folder (or, with `{ wipe: true }`, over an empty one, as a server that lost its data).
 */
export function useRedis(): { url: string; kill(): Promise<void>; start(opts?: { wipe?: boolean }): Promise<void> } {
  const state = { port: 0, dataDir: '', server: undefined as LocalRedis | undefined };
  const start = async (opts: { wipe?: boolean } = {}) => {
    if (opts.wipe) rmSync(state.dataDir, { recursive: true, force: true });
    state.server = await startRedis({
      port: state.port,
      dataDir: state.dataDir,
      logFile: join(projectRoot, '.data', 'logs', `redis-test-${state.port}.log`),
    });
  };
  const ctx = {
    get url() {
      return `redis://127.0.0.1:${state.port}`;
    },
    kill: async () => state.server?.kill(),
    start,
  };
  beforeAll(async () => {
    state.port = await freePort();
    state.dataDir = join(projectRoot, '.data', `redis-test-${state.port}`);
    await start({ wipe: true });
  });
  afterAll(async () => {
    await state.server?.stop();
    rmSync(state.dataDir, { recursive: true, force: true });
  });
  return ctx;
}

function useServiceStack<T extends { client: Client; nativeConnection: NativeConnection; close(): Promise<void> }>(
  connect: (() => Promise<T>) | undefined,
  options: TestServiceOptions = {},
  flashSaleGate?: () => { url: string; shards: number },
): Services & { client: Client; nativeConnection: NativeConnection } {
  const ctx = {} as Services & { client: Client; nativeConnection: NativeConnection };
  const stops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    if (connect) {
      const temporal = await connect();
      ctx.client = temporal.client;
      ctx.nativeConnection = temporal.nativeConnection;
      stops.push(() => temporal.close());
    }
    const db = await freshDatabase();
    stops.push(() => db.drop());
    const gate = flashSaleGate?.();
    const services = await startTestServices(ctx.client, db.url, {
      ...options,
      ...(gate ? { flashSaleGate: gate } : {}),
    });
    stops.push(() => services.services.close());
    Object.assign(ctx, services, { databaseUrl: db.url });
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  return ctx;
}
