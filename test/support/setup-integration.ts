import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropDatabasesStartingWith, ensureLocalPostgres, recreateDatabase } from '../../provision/postgres';
import { freePort } from '../../provision/process';
import { startTemporalDev, type DevServer } from '../../provision/temporal-dev';
import { projectRoot } from '../../provision/tools';
import { loadConfig } from '../../config';
import { workflowBundlePath } from '../../apps/worker/bundle';
import './context';

/**
 * Integration tier: a fresh `<db>_test` database (on DATABASE_URL's server, or on the project-local
 * cluster, started if needed) and an in-memory, headless Temporal dev server on a free port.
 * Everything started here is stopped when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const config = loadConfig();
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let adminUrl: string;
    let testDbUrl: string;
    if (config.database.local) {
      const pg = await ensureLocalPostgres({
        dataDir: join(projectRoot, config.dataDir),
        port: config.database.localPort,
        database: 'saga',
      });
      if (pg.startedHere) stops.push(() => pg.stop());
      adminUrl = pg.url('postgres');
      testDbUrl = pg.url('saga_test');
    } else {
      const url = new URL(config.database.url);
      adminUrl = url.toString();
      url.pathname = `/${config.database.name}_test`;
      testDbUrl = url.toString();
    }
    const testDb = new URL(testDbUrl).pathname.slice(1);
    await recreateDatabase(adminUrl, testDb);
    // Each test file makes `<testDb>_<id>` of its own and drops it; clear those a killed run left.
    await dropDatabasesStartingWith(adminUrl, `${testDb}_`);

    const server: DevServer = await startTemporalDev({
      ip: '127.0.0.1',
      port: await freePort(),
      namespace: 'default',
      logFile: join(projectRoot, '.data', 'logs', 'temporal-test.log'),
    });
    stops.push(() => server.stop());

    project.provide('databaseUrl', testDbUrl);
    project.provide('temporalAddress', server.address);
    project.provide('workflowBundlePath', await workflowBundlePath());
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
