import { loadConfig } from '../../config';
import { runMain } from '../../config/entry';
import { createLogger } from '../../config/logger';
import { migrate } from '../../services/migrations';
import { apiMigrations } from '../api/migrations';
import { serviceMigrations } from './migrations';

/** `npm run migrate`: applies pending migrations of every service and of the HTTP API to DATABASE_URL. */
async function run(): Promise<void> {
  const config = loadConfig();
  await migrate(config.database.url, createLogger('migrate', config.logLevel), [...serviceMigrations(), apiMigrations]);
  console.log('migrations up to date');
}

runMain(run);
