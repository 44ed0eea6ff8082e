import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { ensureLocalPostgres, recreateDatabase } from '../../provision/postgres';
import { freePort } from '../../provision/process';
import { startTemporalDev } from '../../provision/temporal-dev';
import { projectRoot } from '../../provision/tools';
import { startServices } from '../../services';
import { loadConfig } from '../../temporal-config';
import { runMain } from '../../temporal-config/entry';
import { createLogger } from '../../temporal-config/logger';
import { confirmHold, holdState, stockHold } from '../../workflows';
import { createSagaWorker } from '../../workers/worker';

const outDir = join(projectRoot, 'test', 'histories');
const taskQueue = 'record-histories';

/** One recorded path: starts the workflow, drives it, and returns the handle once it has closed. */
type Scenario = (client: Client, stock: (sku: string, available: number) => Promise<void>) => Promise<WorkflowHandle>;

const scenarios: Record<string, Scenario> = {
  'stock-hold-confirmed': async (client, stock) => {
    await stock('REC-1', 10);
    const handle = await client.workflow.start(stockHold, {
      taskQueue,
      workflowId: 'hold:rec-confirmed',
      args: [{ holdId: 'rec-confirmed', items: [{ sku: 'REC-1', quantity: 2 }], holdSeconds: 600 }],
    });
    while ((await handle.query(holdState)) !== 'HELD') await new Promise((r) => setTimeout(r, 100));
    await handle.signal(confirmHold);
    await handle.result();
    return handle;
  },
  'stock-hold-expired': async (client, stock) => {
    await stock('REC-2', 10);
    const handle = await client.workflow.start(stockHold, {
      taskQueue,
      workflowId: 'hold:rec-expired',
      args: [{ holdId: 'rec-expired', items: [{ sku: 'REC-2', quantity: 2 }], holdSeconds: 1 }],
    });
    await handle.result();
    return handle;
  },
  'stock-hold-out-of-stock': async (client, stock) => {
    await stock('REC-3', 1);
    const handle = await client.workflow.start(stockHold, {
      taskQueue,
      workflowId: 'hold:rec-out-of-stock',
      args: [{ holdId: 'rec-out-of-stock', items: [{ sku: 'REC-3', quantity: 5 }], holdSeconds: 600 }],
    });
    await handle.result().catch(() => undefined);
    return handle;
  },
};

/**
 * `npm run record-histories [-- name ...]`: runs each scenario for real (a fresh dev server, the
 * project's PostgreSQL, the services over HTTP, the current workflow code) and writes its history
 * to test/histories/<name>.json in the format of `temporal workflow show --output json`.
 */
async function run(): Promise<void> {
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const wanted = process.argv.slice(2);
  const logger = createLogger('record', 'warn');
  const pg = await ensureLocalPostgres({
    dataDir: join(projectRoot, config.dataDir),
    port: config.database.localPort,
    database: 'saga',
  });
  await recreateDatabase(pg.url('postgres'), 'saga_record');
  const server = await startTemporalDev({
    ip: '127.0.0.1',
    port: await freePort(),
    namespace: 'default',
    logFile: join(projectRoot, '.data', 'logs', 'temporal-record.log'),
  });
  const services = await startServices({
    databaseUrl: pg.url('saga_record'),
    services: [{ name: 'inventory', host: '127.0.0.1', port: 0 }],
    logger,
  });
  const connection = await Connection.connect({ address: server.address });
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  try {
    const client = new Client({ connection });
    const inventory = services.urls.inventory!;
    const stock = async (sku: string, available: number) => {
      await fetch(`${inventory}/stock/${sku}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ available }),
      });
    };
    const worker = await createSagaWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      activities: createActivities({ inventory: { baseUrl: inventory } }),
    });
    await worker.runUntil(async () => {
      mkdirSync(outDir, { recursive: true });
      for (const [name, scenario] of Object.entries(scenarios)) {
        if (wanted.length > 0 && !wanted.includes(name)) continue;
        const handle = await scenario(client, stock);
        const file = join(outDir, `${name}.json`);
        writeFileSync(file, historyToJSON(await handle.fetchHistory()) + '\n');
        console.log(`recorded ${file}`);
      }
    });
  } finally {
    await nativeConnection.close();
    await connection.close();
    await services.close();
    await server.stop();
    if (pg.startedHere) await pg.stop();
  }
}

runMain(run);
