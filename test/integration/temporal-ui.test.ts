import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPayment } from '../../client';
import { freePort } from '../../provision/process';
import { startTemporalDev, type DevServer } from '../../provision/temporal-dev';
import { projectRoot } from '../../provision/tools';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { sagaStateQuery } from '../../workflows';
import { freshDatabase, operatorAuth, startTestServices } from '../support/services';
import { anOrder } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

/** Chromium as Debian ships it, headless, talking to nothing but this machine. */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const artifacts = join(projectRoot, 'test-results');

// A dev server of its own, with its Web UI on (the run's shared server is headless).
let server: DevServer;
let uiUrl = '';
let connection: Connection;
let native: NativeConnection;
let client: Client;
let services: Awaited<ReturnType<typeof startTestServices>>;
let browser: Browser;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const uiPort = await freePort();
  server = await startTemporalDev({
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort,
    namespace: 'default',
    logFile: join(projectRoot, '.data', 'logs', 'temporal-ui-test.log'),
  });
  stops.push(() => server.stop());
  uiUrl = `http://127.0.0.1:${uiPort}`;
  connection = await Connection.connect({ address: server.address });
  stops.push(() => connection.close());
  native = await NativeConnection.connect({ address: server.address });
  stops.push(() => native.close());
  client = new Client({ connection });
  const db = await freshDatabase();
  stops.push(() => db.drop());
  services = await startTestServices(client, db.url);
  stops.push(() => services.services.close());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
  stops.push(() => browser.close());
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

const seed = (sku: string) =>
  fetch(`${services.url('inventory')}/stock/${sku}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...operatorAuth },
    body: JSON.stringify({ available: 10 }),
  });

describe('the Temporal Web UI shows live sagas', () => {
  it('filters workflows by SagaStatus, opens a running payment saga and finds its steps', async () => {
    for (const sku of ['UI-a', 'UI-b', 'UI-c', 'UI-d']) await seed(sku);
    const taskQueue = uniqueTaskQueue('ui');
    await withWorker({ connection: native, taskQueue, activities: services.activities }, async () => {
      // One saga done, one waiting for its payment (no callback comes, and it waits ten minutes).
      await (await startPayment(client, anOrder('ui-done', ['UI-c', 'UI-d']), { taskQueue })).result();
      const waiting = await startPayment(
        client,
        anOrder('ui-live', ['UI-a', 'UI-b'], { paymentMethod: testPaymentMethods.noCallback }),
        {
          taskQueue,
          sagaOptions: { payment: { callbackTimeout: '10 minutes' } },
        },
      );
      await expect
        .poll(async () => (await waiting.query(sagaStateQuery)).steps.find((s) => s.name === 'charge-card')?.status, {
          timeout: 20_000,
        })
        .toBe('running');

      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      try {
        const list = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent('SagaStatus="RUNNING"')}`;
        await expect
          .poll(
            async () => {
              await page.goto(list);
              await page.waitForLoadState('networkidle');
              return page.locator('body').innerText();
            },
            { timeout: 60_000, interval: 2000 },
          )
          .toContain('payment:ui-live');
        // The filter holds: the completed saga is not among the running ones.
        expect(await page.locator('body').innerText()).not.toContain('payment:ui-done');
        mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: join(artifacts, 'temporal-ui-running-sagas.png'), fullPage: true });

        await page.getByText('payment:ui-live', { exact: true }).first().click();
        await expect
          .poll(() => page.locator('body').innerText(), { timeout: 30_000, interval: 1000 })
          .toContain('chargeCard');
        const text = await page.locator('body').innerText(); // the event timeline names every call
        for (const step of ['validateOrder', 'reserveStock', 'chargeCard']) expect(text).toContain(step);
        // ...and each call's own summary, so the timeline reads as the business story.
        expect(text).toContain('Reserve stock for order ui-live');
        await page.screenshot({ path: join(artifacts, 'temporal-ui-payment-saga.png'), fullPage: true });
        // The static summary set at start, under the run's user metadata.
        await page.getByText('User Metadata', { exact: true }).first().click();
        // The UI renders it as markdown in a sandboxed frame: read every frame.
        const allText = async () =>
          (
            await Promise.all(
              page.frames().map((f) =>
                f
                  .locator('body')
                  .innerText()
                  .catch(() => ''),
              ),
            )
          ).join('\n');
        await expect.poll(allText, { timeout: 15_000 }).toContain('Order ui-live: 2 line(s), 50.00 EUR');
        await page.screenshot({ path: join(artifacts, 'temporal-ui-summary.png'), fullPage: true });
      } finally {
        await page.close();
        await waiting.terminate('test done');
      }
    });
  });
});
