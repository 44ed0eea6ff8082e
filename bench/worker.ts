import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../activities';
import { loadConfig, serviceTokenOf, serviceUrls } from '../config';
import { temporalConnectionOptions } from '../temporal-config/connection';
import { runMain } from '../config/entry';
import { workflowBundlePath } from '../apps/worker/bundle';
import { smallMachineTuning } from '../apps/worker/tuning';
import { benchWorkflowsPath, createBenchActivities } from './activities';

/**
 * The benchmark's worker process: the project's activities against the configured services plus
 * the floor's no-op, the benchmark's bundle, the small-machine tuning. `BENCH_BUNDLE=build`
 * bundles the workflow code at start (as a worker without a prebuilt bundle does), otherwise it
 * loads the prebuilt one. Writes how long it took to be ready to `BENCH_READY_FILE`.
 */
async function run(): Promise<void> {
  const began = performance.now();
  const config = loadConfig();
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const build = process.env.BENCH_BUNDLE === 'build';
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: {
      ...createActivities(serviceDeps(serviceUrls(config.services), serviceTokenOf(config, 'worker'))),
      ...createBenchActivities(),
    },
    ...(build
      ? { workflowsPath: benchWorkflowsPath }
      : { workflowBundle: { codePath: await workflowBundlePath(benchWorkflowsPath) } }),
    ...(process.env.BENCH_TUNING === 'sdk-defaults' ? {} : smallMachineTuning),
    ...(JSON.parse(process.env.BENCH_TUNING_OVERRIDE ?? '{}') as object),
  });
  const readyFile = process.env.BENCH_READY_FILE;
  if (readyFile) writeFileSync(readyFile, JSON.stringify({ startupMs: Math.round(performance.now() - began), build }));
  try {
    await worker.run(); // until SIGTERM
  } finally {
    await connection.close();
  }
}

runMain(run);
