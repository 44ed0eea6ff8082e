import type { DataConverter } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Activities } from '../../activities';
import type { WorkerPolicy } from '../../activities/policy';
import { testPolicy } from './policy';
import { registerSearchAttributes } from '../../temporal-config/register-search-attributes';
import { createSagaWorker } from '../../apps/worker/worker';
import './context';

// Keep the worker's own logging to warnings so test output stays readable.
Runtime.install({ logger: new DefaultLogger('WARN') });

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** A time-skipping test server from the project's pinned binary (never downloaded). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
  });
  try {
    await registerSearchAttributes(env.connection, env.namespace ?? 'default');
  } catch (err) {
    await env.teardown(); // never leave the server running when setup fails
    throw err;
  }
  return env;
}

/**
 * Runs `fn` while a worker with the prebuilt bundle, the given activities and `policy` (default
 * `testPolicy`) polls `taskQueue`; the worker shuts down when `fn` settles. The one helper every
 * tier uses to make test workers.
 */
export async function withWorker<T>(
  opts: {
    connection: NativeConnection;
    namespace?: string;
    taskQueue: string;
    activities: Partial<Activities>;
    policy?: WorkerPolicy;
    /** From `dataConverter(keys)` (temporal-config/payload-codec.ts), for a run with encrypted payloads. */
    dataConverter?: DataConverter;
  },
  fn: () => Promise<T>,
): Promise<T> {
  const worker = await createSagaWorker({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue,
    activities: opts.activities,
    policy: opts.policy ?? testPolicy,
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    workflowBundle: { codePath: inject('workflowBundlePath') },
  });
  return worker.runUntil(fn);
}

/** Client and worker connections to the dev server the integration setup started. */
export async function devServerConnections(dataConverter?: DataConverter): Promise<{
  client: Client;
  nativeConnection: NativeConnection;
  close(): Promise<void>;
}> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client: new Client({ connection, ...(dataConverter ? { dataConverter } : {}) }),
    nativeConnection,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

/** The summaries the workflow gave its activity calls, in the order it scheduled them. */
export async function activitySummaries(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => {
      const summary = e.userMetadata?.summary;
      return summary ? defaultPayloadConverter.fromPayload<string>(summary) : '(no summary)';
    });
}
