import { Client, Connection } from '@temporalio/client';
import { createPool } from '../../services/shared/db';
import { loadConfig } from '../../config';
import { temporalConnectionOptions } from '../../temporal-config/connection';
import { dataConverter } from '../../temporal-config/payload-codec';
import { codecOutboxSealer } from '../outbox-sealer';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { startOptions } from '../start-options';
import { OutboxRelay } from './outbox-relay';
import { jetstream } from '@nats-io/jetstream';
import { brokerManager, connectBroker } from '../../services/shared/broker';
import { EventRelay } from './event-relay';

/**
 * `npm run relay`: delivers the order outbox to Temporal and the services' events outboxes to
 * NATS JetStream until SIGINT/SIGTERM. Run as many as you like.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('outbox-relay', config.logLevel);
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const pool = createPool(config.database.url, 4);
  const relay = new OutboxRelay({
    pool,
    databaseUrl: config.database.url,
    client: new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverter(config.payloadKeys),
    }),
    start: startOptions(config),
    sealer: codecOutboxSealer(config.payloadKeys),
    logger,
  });
  const nc = await connectBroker({ ...config.nats, name: 'event-relay' });
  await brokerManager(nc); // the streams exist before the first publish
  const events = new EventRelay({ pool, databaseUrl: config.database.url, js: jetstream(nc), logger });
  await relay.start();
  await events.start();
  logger.info({ nats: config.nats.servers }, 'outbox and event relays running');
  const shutdown = () =>
    void Promise.all([relay.stop(), events.stop()])
      .then(() => nc.drain())
      .then(() => pool.end())
      .then(() => connection.close())
      .then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runMain(run);
