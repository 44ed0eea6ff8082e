import { Registry, collectDefaultMetrics } from 'prom-client';
import { loadConfig } from '../../config';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { buildActivityApp } from '../../services/customer-activity/app';
import {
  activityConsumer,
  activityMigrations,
  activitySchema,
  applyActivity,
} from '../../services/customer-activity/projection';
import { connectBroker } from '../../services/shared/broker';
import { EventConsumer } from '../../services/shared/consumer';
import { ConsumerMetrics } from '../../services/shared/consumer-metrics';
import { createPool } from '../../services/shared/db';
import { migrate } from '../../services/migrations';

/**
 * The customer-activity read model: consumes the domain events from JetStream into its own schema
 * and serves `GET /customers/:id/activity` and `GET /metrics` until SIGINT/SIGTERM. Several may run:
 * they share the durable consumer, and each event goes to one of them.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('customer-activity', config.logLevel);
  await migrate(config.database.url, logger, [activityMigrations]);
  const pool = createPool(config.database.url, 5);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const nc = await connectBroker({ ...config.nats, name: activityConsumer });
  const consumer = new EventConsumer({
    nc,
    pool,
    name: activityConsumer,
    schema: activitySchema,
    apply: applyActivity,
    metrics: new ConsumerMetrics(registry),
    logger,
  });
  await consumer.start();
  const app = buildActivityApp(pool, logger, registry);
  await app.listen({ host: config.activity.host, port: config.activity.port });
  logger.info({ url: config.activity.url, nats: config.nats.servers }, 'customer activity listening');
  const shutdown = () =>
    void app
      .close()
      .then(() => consumer.stop())
      .then(() => nc.drain())
      .then(() => pool.end())
      .then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runMain(run);
