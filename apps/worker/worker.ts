import { fileURLToPath } from 'node:url';
import type { NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { createPolicyActivities, type WorkerPolicy } from '../../activities/policy';

/** The file the worker bundles: every workflow, re-exported. */
export const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));

export interface SagaWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Partial<Activities>;
  /** The rules the workflows read from the worker, never from their callers (the refund approval threshold). */
  policy: WorkerPolicy;
  /** A prebuilt bundle (tests bundle once per run); otherwise the worker bundles `workflowsPath`. */
  workflowBundle?: { codePath: string };
  /** The payload codec (see temporal-config/payload-codec.ts); default: payloads as plain JSON. */
  dataConverter?: DataConverter;
  /** Extra Worker options (tuning, interceptors). */
  tuning?: Partial<WorkerOptions>;
}

/**
 * The one way this project creates a worker, for `npm run worker` and every test: all workflows
 * from `workflows/index.ts`, the given activities and the policy activities, on one task queue.
 * Throws a ValidationError naming the field when the policy is malformed.
 */
export function createSagaWorker(opts: SagaWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: { ...opts.activities, ...createPolicyActivities(opts.policy) },
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath }),
    ...(opts.dataConverter ? { dataConverter: opts.dataConverter } : {}),
    ...opts.tuning,
  });
}
