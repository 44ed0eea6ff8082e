import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireServiceTokens, serviceNames, type ServiceName, ConfigError } from '../../config';
import { temporalConnectionOptions } from '../../temporal-config/connection';
import { dataConverter } from '../../temporal-config/payload-codec';
import { codecOutboxSealer } from '../outbox-sealer';
import { temporalDelivery } from './temporal-delivery';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { startServices } from './index';

/** `npm run services [-- name ...]`: migrates and serves the participant services (all by default). */
async function run(): Promise<void> {
  const config = loadConfig();
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(serviceNames as readonly string[]).includes(w));
  if (unknown.length > 0)
    throw new ConfigError(`services: unknown ${unknown.join(', ')} (known: ${serviceNames.join(', ')})`);
  const names = (wanted.length > 0 ? wanted : [...serviceNames]) as ServiceName[];
  const tokens = requireServiceTokens(config);
  const logger = createLogger('services', config.logLevel);
  // The callback receiver signals workflows; it connects on first use, so the services start even
  // while Temporal is still coming up (a callback meanwhile gets a 503 and is sent again).
  const connection = Connection.lazy(temporalConnectionOptions(config.temporal));
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config.payloadKeys),
  });
  const running = await startServices({
    databaseUrl: config.database.url,
    services: names.map((name) => ({ name, host: config.services[name].host, port: config.services[name].port })),
    logger,
    links: {
      gateway: config.gateway,
      deliver: temporalDelivery(client),
      outbox: codecOutboxSealer(config.payloadKeys),
      flashSaleGate: { url: config.redis.url, shards: config.flashSale.gateShards },
    },
    tokens,
  });
  logger.info({ urls: running.urls, callers: Object.keys(tokens.callers), tokens: tokens.file }, 'services listening');
  const shutdown = () => {
    logger.info('stopping services');
    void running
      .close()
      .then(() => connection.close())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runMain(run);
