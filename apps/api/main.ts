import { Client, Connection } from '@temporalio/client';
import { loadConfig, requireServiceTokens } from '../../config';
import { temporalConnectionOptions } from '../../temporal-config/connection';
import { dataConverter } from '../../temporal-config/payload-codec';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { buildApiApp } from './app';
import { httpFlashSaleGate } from '../../client/flash-sale';
import { startOptions } from '../start-options';
import { devApiClient } from '../../config/api-clients';
import { createPool } from '../../services/shared/db';
import { migrate } from '../../services/migrations';
import { apiMigrations } from './migrations';

/** `npm run api`: the HTTP API for services in other languages, until SIGINT/SIGTERM. */
async function run(): Promise<void> {
  const config = loadConfig();
  const tokens = requireServiceTokens(config);
  const logger = createLogger('api', config.logLevel);
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverter(config.payloadKeys),
  });
  await migrate(config.database.url, logger, [apiMigrations]);
  const pool = createPool(config.database.url, 5);
  const app = buildApiApp({
    client,
    start: startOptions(config),
    logger,
    approvals: config.approvals,
    clients: config.api.clients,
    pool,
    // Every service caller may trim the API's answers: the retention workflow calls as `worker`.
    retention: { callers: Object.entries(tokens.callers).map(([name, token]) => ({ name, token })) },
    ...(tokens.callers.api
      ? { flashSaleGate: httpFlashSaleGate(config.services.inventory.url, tokens.callers.api) }
      : {}),
  });
  if (!tokens.callers.api) {
    logger.warn('SERVICE_TOKENS_FILE has no `api` caller: flash-sale purchases answer 503 GateUnavailable');
  }
  if (config.api.clients.some((c) => c.token === devApiClient.token)) {
    logger.warn('the API accepts the dev token; set API_TOKENS_FILE anywhere but a dev machine');
  }
  await app.listen({ host: config.api.host, port: config.api.port });
  logger.info({ url: config.api.url }, 'api listening');
  const shutdown = () =>
    void app
      .close()
      .then(() => Promise.all([connection.close(), pool.end()]))
      .then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runMain(run);
