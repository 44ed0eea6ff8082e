import { loadConfig } from '../../config';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { migrate } from '../../services/migrations';

/** `npm run migrate`: applies pending migrations of every service to DATABASE_URL. */
async function run(): Promise<void> {
  const config = loadConfig();
  await migrate(config.database.url, createLogger('migrate', config.logLevel));
  console.log('migrations up to date');
}

runMain(run);
