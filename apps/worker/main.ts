import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../../activities';
import { loadConfig, serviceTokenOf, serviceUrls } from '../../config';
import { temporalConnectionOptions } from '../../temporal-config/connection';
import { dataConverter, unencryptedWarning } from '../../temporal-config/payload-codec';
import { runMain } from '../../config/entry';
import { ensureSchedules } from '../schedules';
import { createLogger } from '../../config/logger';
import { installTelemetry } from './telemetry';
import { smallMachineTuning } from './tuning';
import { createSagaWorker } from './worker';
import { workerPolicy } from '../start-options';

/** `npm run worker`: polls the saga task queue of the configured cluster until SIGINT/SIGTERM. */
async function run(): Promise<void> {
  const config = loadConfig();
  const token = serviceTokenOf(config, 'worker');
  const logger = createLogger('worker', config.logLevel);
  installTelemetry(logger, config.metricsAddress);
  const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
  const clientConnection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const converter = dataConverter(config.payloadKeys);
  if (config.payloadKeys.length === 0) logger.warn(unencryptedWarning);
  const client = new Client({
    connection: clientConnection,
    namespace: config.temporal.namespace,
    dataConverter: converter,
  });
  try {
    // The worker creates a missing Schedule but never rewrites one: `npm run schedules` decides.
    for (const s of await ensureSchedules(client, config, 'keep')) {
      if (s.outcome === 'differs') {
        logger.warn(
          { scheduleId: s.scheduleId, difference: s.difference },
          `schedule ${s.scheduleId} differs from this worker's configuration and was left as it is (${s.difference}); run \`npm run schedules\` to apply it`,
        );
      }
    }
    const worker = await createSagaWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: createActivities(serviceDeps(serviceUrls(config.services), token), client, {
        baseUrl: config.api.url,
        token,
      }),
      policy: workerPolicy(config),
      tuning: smallMachineTuning,
      dataConverter: converter,
      ...(config.temporal.workflowBundlePath
        ? { workflowBundle: { codePath: config.temporal.workflowBundlePath } }
        : {}),
    });
    logger.info(
      {
        address: config.temporal.address,
        taskQueue: config.temporal.taskQueue,
        metrics: config.metricsAddress,
        payloadKey: config.payloadKeys[0]?.id ?? null,
      },
      'worker running',
    );
    await worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await connection.close();
    await clientConnection.close();
  }
}

runMain(run);
