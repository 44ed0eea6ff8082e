import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { freshDatabase, startTestServices } from './services';
import { devServerConnections, timeSkippingEnv } from './temporal';

type Services = Awaited<ReturnType<typeof startTestServices>>;

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

/** The participant services for the file, in process on free ports, with the real activities. */
export function useServices(): Services {
  const ctx = {} as Services;
  beforeAll(async () => {
    Object.assign(ctx, await startTestServices());
  });
  afterAll(async () => {
    await ctx.services?.close();
  });
  return ctx;
}

/**
 * The services plus client and worker connections to the run's dev server; the callback receiver
 * signals the workflows there.
 */
export function useStack(opts: { ownDatabase?: string } = {}): Services & {
  client: Client;
  nativeConnection: NativeConnection;
} {
  const ctx = {} as Services & { client: Client; nativeConnection: NativeConnection };
  let close: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const temporal = await devServerConnections();
    ctx.client = temporal.client;
    ctx.nativeConnection = temporal.nativeConnection;
    close = temporal.close;
    const databaseUrl = opts.ownDatabase === undefined ? undefined : await freshDatabase(opts.ownDatabase);
    Object.assign(ctx, await startTestServices(temporal.client, databaseUrl));
  });
  afterAll(async () => {
    await ctx.services?.close();
    await close?.();
  });
  return ctx;
}
