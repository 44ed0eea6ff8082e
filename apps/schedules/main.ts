import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../../config';
import { runMain } from '../../config/entry';
import { temporalConnectionOptions } from '../../temporal-config/connection';
import { dataConverter } from '../../temporal-config/payload-codec';
import { ValidationError } from '../../client/errors';
import { ensureSchedules } from './index';

/**
 * `npm run schedules [-- <id> ...]`: brings every Schedule (or the named ones) to this configuration
 * (RECONCILE_*, RETENTION_*, FLASH_SALE_GATE_*), the one step that changes them; a worker only
 * creates missing ones. Prints one line per Schedule; an unknown id is exit 2.
 */
async function run(): Promise<void> {
  try {
    await applyAll();
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    console.error(err.message);
    process.exit(2);
  }
}

async function applyAll(): Promise<void> {
  const config = loadConfig();
  const connection = await Connection.connect(temporalConnectionOptions(config.temporal));
  try {
    const client = new Client({
      connection,
      namespace: config.temporal.namespace,
      dataConverter: dataConverter(config.payloadKeys),
    });
    for (const s of await ensureSchedules(client, config, 'apply', process.argv.slice(2)))
      console.log(`${s.scheduleId}: ${s.outcome}`);
  } finally {
    await connection.close();
  }
}

runMain(run);
