import { loadConfig } from '../../config';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { AesGcmPayloadCodec } from '../../temporal-config/payload-codec';
import { buildCodecServer } from './app';

/** The codec server (started by `npm start` when PAYLOAD_KEYS is set): decodes payloads for the Web UI and the `temporal` CLI, until SIGINT/SIGTERM. */
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('codec-server', config.logLevel);
  const { codecServer, payloadKeys } = config;
  if (payloadKeys.length === 0) {
    logger.warn('PAYLOAD_KEYS is not set: the codec server has nothing to decode and is not started');
    return;
  }
  const app = buildCodecServer({
    codec: new AesGcmPayloadCodec(payloadKeys),
    token: codecServer.token,
    origins: codecServer.origins,
    logger,
  });
  await app.listen({ host: codecServer.host, port: codecServer.port });
  logger.info({ url: codecServer.url, origins: codecServer.origins }, 'codec server listening');
  const shutdown = () => void app.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

runMain(run);
