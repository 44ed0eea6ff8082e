import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
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
  opts: Pick<TestServiceOptions, 'gatewayTimings' | 'logger' | 'outbox'> & { dataConverter?: DataConverter } = {},
): Services & { client: Client; nativeConnection: NativeConnection } {
  const { dataConverter, ...options } = opts;
  return useServiceStack(async () => devServerConnections(dataConverter), options);
}

function useServiceStack<T extends { client: Client; nativeConnection: NativeConnection; close(): Promise<void> }>(
  connect: (() => Promise<T>) | undefined,
  options: TestServiceOptions = {},
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
    const services = await startTestServices(ctx.client, db.url, options);
    stops.push(() => services.services.close());
    Object.assign(ctx, services, { databaseUrl: db.url });
  });
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  return ctx;
}
