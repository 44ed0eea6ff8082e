import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { NativeConnection } from '@temporalio/worker';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalActions, startApproval, startPayment } from '../../client';
import { defaultRouting } from '../../contracts/approval';
import { SagaStatus } from '../../contracts/search-attributes';
import { freePort } from '../../provision/process';
import { startTemporalDev, type DevServer } from '../../provision/temporal-dev';
import { projectRoot } from '../../provision/tools';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { sagaStateQuery, unpaidDeadlineSummary } from '../../workflows';
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

/** The text of the page and of every frame in it (the UI renders markdown in sandboxed frames). */
const allText = async (page: Page) =>
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

/** Saves a screenshot, and the page's text beside it, in test-results/. */
async function keep(page: Page, name: string) {
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
  writeFileSync(join(artifacts, `${name}.txt`), await allText(page));
}

/** Opens the list of workflows whose SagaStatus is `status` until it shows `workflowId`. */
async function listed(page: Page, status: string, workflowId: string) {
  const list = `${uiUrl}/namespaces/default/workflows?query=${encodeURIComponent(`SagaStatus="${status}"`)}`;
  await expect
    .poll(
      async () => {
        await page.goto(list);
        await page.waitForLoadState('networkidle');
        return page.locator('body').innerText();
      },
      { timeout: 60_000, interval: 2000 },
    )
    .toContain(workflowId);
}

/** The summaries of the timers a run started, from its history (what the UI shows for each timer). */
async function timerSummaries(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((e) =>
    e.timerStartedEventAttributes && e.userMetadata?.summary
      ? [defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary)]
      : [],
  );
}

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
        await expect.poll(() => allText(page), { timeout: 15_000 }).toContain('Order ui-live: 2 line(s), 50.00 EUR');
        await page.screenshot({ path: join(artifacts, 'temporal-ui-summary.png'), fullPage: true });
      } finally {
        await page.close();
        await waiting.terminate('test done');
      }
    });
  });

  it("shows a running saga's step table as its current details and names the unpaid deadline's timer", async () => {
    for (const sku of ['UI-e', 'UI-f']) await seed(sku);
    const taskQueue = uniqueTaskQueue('ui-details');
    await withWorker({ connection: native, taskQueue, activities: services.activities }, async () => {
      const waiting = await startPayment(
        client,
        anOrder('ui-details', ['UI-e', 'UI-f'], { paymentMethod: testPaymentMethods.noCallback }),
        { taskQueue, sagaOptions: { payment: { callbackTimeout: '10 minutes' } } },
      );
      await expect
        .poll(async () => (await waiting.query(sagaStateQuery)).steps.find((s) => s.name === 'charge-card')?.status, {
          timeout: 20_000,
        })
        .toBe('running');
      // Through the client first, so this fails without the UI too.
      const details = (await waiting.query(workflowMetadataQuery)).currentDetails ?? '';
      expect(details).toContain('**paymentSaga** · RUNNING');
      expect(details).toContain('| charge-card (pivot) | running | 1 |');
      expect(details).toContain('| award-points | pending | 0 |');
      const deadline = unpaidDeadlineSummary('charge-card');
      expect(await timerSummaries(waiting)).toContain(deadline);

      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      try {
        await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(waiting.workflowId)}`);
        await page.getByText('User Metadata', { exact: true }).first().click();
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain('charge-card (pivot)');
        const shown = await allText(page);
        expect(shown).toMatch(/award-points\s+pending/);
        await keep(page, 'temporal-ui-current-details');
        // The event history names the deadline's timer by its summary, not "1 (14m, 59s)".
        const { runId } = await waiting.describe();
        await page.goto(
          `${uiUrl}/namespaces/default/workflows/${encodeURIComponent(waiting.workflowId)}/${runId}/history`,
        );
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain(deadline);
        expect(await allText(page)).not.toMatch(/^1 \(14m/m);
        await keep(page, 'temporal-ui-deadline-timer');
      } finally {
        await page.close();
        await waiting.terminate('test done');
      }
    });
  });

  it("tells a compensated saga and a rejected approval by their SagaStatus, not by the run's close status", async () => {
    for (const sku of ['UI-g', 'UI-h']) await seed(sku);
    const taskQueue = uniqueTaskQueue('ui-outcomes');
    await withWorker({ connection: native, taskQueue, activities: services.activities }, async () => {
      const declined = await startPayment(
        client,
        anOrder('ui-declined', ['UI-g', 'UI-h'], { paymentMethod: testPaymentMethods.declined }),
        { taskQueue },
      );
      await expect(declined.result()).rejects.toThrow();
      const approval = await startApproval(
        client,
        {
          requestId: 'ui-rej',
          kind: 'purchase',
          requester: 'dev-1',
          department: 'support',
          amountCents: 50_000,
          currency: 'EUR',
          description: 'a standing desk',
          slaPerLevelMs: 3_600_000,
          deadlineMs: 86_400_000,
          routing: defaultRouting,
        },
        { taskQueue },
      );
      await expect
        .poll(async () => (await approval.query(sagaStateQuery).catch(() => undefined))?.status, { timeout: 20_000 })
        .toBe('RUNNING');
      await approvalActions.reject(client, 'ui-rej', { by: 'tl-support', reason: 'not in this budget' });
      await expect(approval.result()).resolves.toMatchObject({ status: 'REJECTED' });

      // The run's close status is the engine's; SagaStatus says what happened to the business.
      const [d, a] = [await declined.describe(), await approval.describe()];
      expect([d.status.name, d.typedSearchAttributes.get(SagaStatus)]).toEqual(['FAILED', 'COMPENSATED']);
      expect([a.status.name, a.typedSearchAttributes.get(SagaStatus)]).toEqual(['COMPLETED', 'REJECTED']);
      // The finished timelines list what ran, nothing as pending.
      const compensated = (await declined.query(workflowMetadataQuery)).currentDetails ?? '';
      expect(compensated).toContain('**paymentSaga** · COMPENSATED');
      expect(compensated).toContain('Failed at charge-card');
      expect(compensated).not.toContain('pending');
      // This request holds no budget: its saga had no step to run.
      expect((await approval.query(workflowMetadataQuery)).currentDetails).toBe(
        '**approvalFlow** · REJECTED\n\nEnded: request REJECTED: not in this budget\n\nNo step ran.',
      );

      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      try {
        await listed(page, 'COMPENSATED', 'payment:ui-declined');
        await page.getByText('payment:ui-declined', { exact: true }).first().click();
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain('failed at charge-card');
        await page.getByText('User Metadata', { exact: true }).first().click();
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain('paymentSaga · COMPENSATED');
        expect(await allText(page)).not.toContain('pending');
        await keep(page, 'temporal-ui-compensated-saga');
        await page.getByText('Search Attributes', { exact: true }).first().click();
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain('"SagaStatus": "COMPENSATED"');
        await keep(page, 'temporal-ui-compensated-attributes');

        await listed(page, 'REJECTED', 'approval:ui-rej');
        // The filter holds: the compensated payment is not a rejection.
        expect(await page.locator('body').innerText()).not.toContain('payment:ui-declined');
        await keep(page, 'temporal-ui-rejected-list');
        await page.getByText('approval:ui-rej', { exact: true }).first().click();
        await page.getByText('User Metadata', { exact: true }).first().click();
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain('approvalFlow · REJECTED');
        await keep(page, 'temporal-ui-rejected-approval');
        await page.getByText('Search Attributes', { exact: true }).first().click();
        await expect.poll(() => allText(page), { timeout: 30_000 }).toContain('"SagaStatus": "REJECTED"');
        await keep(page, 'temporal-ui-rejected-attributes');
      } finally {
        await page.close();
      }
    });
  });
});
