import { describe, expect, it } from 'vitest';
import { ensureRetentionSchedule, retentionScheduleId, startRetention, ValidationError } from '../../client';
import type { RetentionWindows } from '../../contracts/retention';
import { createActivities, serviceDeps } from '../../activities';
import { buildApiApp } from '../../apps/api/app';
import { defaultRouting } from '../../contracts/approval';
import { apiMigrations } from '../../apps/api/migrations';
import { serviceNames, type ServiceName } from '../../config';
import { createLogger } from '../../config/logger';
import { migrate } from '../../services/migrations';
import { useStack } from '../support/fixtures';
import { http, testServiceTokens } from '../support/services';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const stack = useStack();
const day = 86_400_000;
const windows: RetentionWindows = { idempotencyKeys: 30 * day, tccBarrier: 30 * day, callbacks: 90 * day };

const query = (sql: string, params: unknown[] = []) => stack.services.pool.query(sql, params);
const keysLike = async (schema: string, prefix: string) =>
  (await query(`SELECT key FROM "${schema}".idempotency_keys WHERE key LIKE $1 ORDER BY key`, [`${prefix}%`])).rows.map(
    (r: { key: string }) => r.key,
  );
/** An idempotency key of `schema` stored `daysAgo` days ago. */
const oldKey = (schema: string, key: string, daysAgo: number) =>
  query(
    `INSERT INTO "${schema}".idempotency_keys (key, request_hash, status, response, created_at)
     VALUES ($1, 'h', 200, '{}', now() - $2 * interval '1 day')`,
    [key, daysAgo],
  );
/** A barrier row of `schema`, written `daysAgo` days ago. */
const barrierRow = (schema: string, gid: string, branch: string, op: string, daysAgo: number, origin = op) =>
  query(
    `INSERT INTO "${schema}".tcc_barrier (gid, branch_id, op, origin, created_at)
     VALUES ($1, $2, $3, $4, now() - $5 * interval '1 day')`,
    [gid, branch, op, origin, daysAgo],
  );
const purge = (service: Parameters<typeof stack.url>[0], key: string, batchSize = 1000, auth = {}) =>
  http('POST', `${stack.url(service)}/retention`, { windows, batchSize }, { 'idempotency-key': key, ...auth });

describe('retention: each service removes what is past its window, and only that', () => {
  it('removes an idempotency key past retention and keeps one inside it', async () => {
    await oldKey('order', 'ret-key-old', 31);
    await oldKey('order', 'ret-key-new', 29);
    const refused = await purge('order', 'ret-1', 1000, { authorization: null });
    expect(refused.status).toBe(401);
    expect(await keysLike('order', 'ret-key-')).toEqual(['ret-key-new', 'ret-key-old']); // the 401 changed nothing

    const answer = await purge('order', 'ret-1');
    expect(answer.status).toBe(200);
    expect(answer.body.removed.idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await keysLike('order', 'ret-key-')).toEqual(['ret-key-new']);
  });

  it('removes barrier rows of finished transactions past the window, never of one that may still be open', async () => {
    // Finished long ago: confirmed; an empty compensation (cancel with no try).
    await barrierRow('inventory', 'ret-confirmed', 'stock', 'try', 40);
    await barrierRow('inventory', 'ret-confirmed', 'stock', 'confirm', 40);
    await barrierRow('inventory', 'ret-empty-cancel', 'stock', 'try', 40, 'cancel');
    await barrierRow('inventory', 'ret-empty-cancel', 'stock', 'cancel', 40);
    // May still be open, however old: only tried; one branch cancelled and another only tried.
    await barrierRow('inventory', 'ret-open', 'stock', 'try', 400);
    await barrierRow('inventory', 'ret-half', 'a', 'try', 40);
    await barrierRow('inventory', 'ret-half', 'a', 'cancel', 40);
    await barrierRow('inventory', 'ret-half', 'b', 'try', 40);
    // Finished, but its last row is inside the window.
    await barrierRow('inventory', 'ret-recent', 'stock', 'try', 40);
    await barrierRow('inventory', 'ret-recent', 'stock', 'cancel', 1);

    const answer = await purge('inventory', 'ret-2');
    expect(answer.status).toBe(200);
    expect(answer.body.removed.tccBarrier).toBe(4);
    const { rows } = await query(
      `SELECT gid, branch_id, op FROM inventory.tcc_barrier WHERE gid LIKE 'ret-%' ORDER BY gid, branch_id, op`,
    );
    expect(rows.map((r: { gid: string; branch_id: string; op: string }) => `${r.gid}/${r.branch_id}/${r.op}`)).toEqual([
      'ret-half/a/cancel',
      'ret-half/a/try',
      'ret-half/b/try',
      'ret-open/stock/try',
      'ret-recent/stock/cancel',
      'ret-recent/stock/try',
    ]);
  });

  it('removes barrier rows a whole branch at a time, never more rows than the batch', async () => {
    for (let i = 0; i < 6; i++) {
      await barrierRow('wallet', `ret-b-${i}`, 'balance', 'try', 40 + i);
      await barrierRow('wallet', `ret-b-${i}`, 'balance', 'confirm', 40 + i);
    }
    const first = await purge('wallet', 'ret-5', 11);
    expect(first.body.removed.tccBarrier).toBe(10); // five branches; the sixth would pass the bound
    expect(first.body.more).toBe(true);
    const left = await query(
      `SELECT gid, count(*)::int AS n FROM wallet.tcc_barrier WHERE gid LIKE 'ret-b-%' GROUP BY gid`,
    );
    expect(left.rows).toEqual([{ gid: 'ret-b-0', n: 2 }]); // the newest, whole
  });

  it('removes settled callbacks past the window and keeps an orphan no run has handled', async () => {
    const callback = (id: string, delivery: string, handled: boolean) =>
      query(
        `INSERT INTO billing.callbacks (event_id, type, charge_id, order_id, reference, sequence, body, received_at,
           delivery, handled_at)
         VALUES ($1, 'charge.succeeded', 'c', 'o', 'payment:o', 1, '{}', now() - interval '100 days', $2,
           CASE WHEN $3 THEN now() END)`,
        [id, delivery, handled],
      );
    await callback('ret-signalled', 'signalled', false);
    await callback('ret-orphan', 'workflow-not-found', false);
    await callback('ret-orphan-handled', 'workflow-closed', true);
    const answer = await purge('billing', 'ret-3');
    expect(answer.body.removed.callbacks).toBe(2);
    const { rows } = await query(`SELECT event_id FROM billing.callbacks WHERE event_id LIKE 'ret-%'`);
    expect(rows).toEqual([{ event_id: 'ret-orphan' }]);
  });

  it('removes at most one batch per call, and the scheduled workflow goes on until nothing is left', async () => {
    for (let i = 0; i < 25; i++) await oldKey('coupon', `ret-batch-${String(i).padStart(2, '0')}`, 31);
    const first = await purge('coupon', 'ret-4', 10);
    expect(first.body).toEqual({ removed: { idempotencyKeys: 10, tccBarrier: 0 }, more: true });
    expect(await keysLike('coupon', 'ret-batch-')).toHaveLength(15);

    const taskQueue = uniqueTaskQueue('int-retention');
    const report = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      async () =>
        (
          await startRetention(stack.client, {
            taskQueue,
            runId: 'ret-run',
            windows,
            batchSize: 10,
            services: [...serviceNames],
          })
        ).result(),
    );
    expect(await keysLike('coupon', 'ret-batch-')).toEqual([]);
    expect(report.removed.coupon?.idempotencyKeys).toBe(15);
    expect(report.batches.coupon).toBe(2); // 10, then 5: a short batch says nothing is left
    expect(report.complete).toBe(true);
    expect(Object.keys(report.removed).sort()).toEqual(
      ['approvals', 'billing', 'coupon', 'inventory', 'order', 'payments', 'shipping', 'wallet'].sort(),
    );
    const sum = (r: Record<string, number | undefined>) => Object.values(r).reduce((n: number, k) => n + (k ?? 0), 0);
    expect(report.total).toBe(Object.values(report.removed).reduce((n, r) => n + sum(r), 0));
    const stored = await http('GET', `${stack.url('billing')}/retention/reports?limit=100`);
    expect(stored.body).toContainEqual(report);
  });

  it('keeps one Schedule, created or updated at every start, whose runs store a report', async () => {
    const taskQueue = uniqueTaskQueue('int-retention-schedule');
    const options = { taskQueue, intervalMs: 86_400_000, windows, batchSize: 500 };
    await ensureRetentionSchedule(stack.client, options);
    await ensureRetentionSchedule(stack.client, { ...options, intervalMs: 3_600_000 });
    const handle = stack.client.schedule.getHandle(retentionScheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.intervals).toMatchObject([{ every: 3_600_000 }]);
      await oldKey('shipping', 'ret-scheduled', 31);
      const reports = async () => (await http('GET', `${stack.url('billing')}/retention/reports?limit=100`)).body;
      const before = (await reports()).length;
      await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
        await handle.trigger();
        await expect.poll(async () => (await reports()).length, { timeout: 30_000 }).toBe(before + 1);
      });
      const [latest] = await reports();
      expect(latest.batchSize).toBe(500);
      expect(latest.removed.shipping.idempotencyKeys).toBeGreaterThanOrEqual(1);
      expect(await keysLike('shipping', 'ret-scheduled')).toEqual([]);
    } finally {
      await handle.delete();
    }
  });

  it('trims the HTTP API’s stored answers too, and a target it cannot reach does not stop the others', async () => {
    await migrate(stack.databaseUrl, { info: () => undefined }, [apiMigrations]);
    const worker = testServiceTokens.callers.worker;
    const api = buildApiApp({
      client: stack.client,
      start: { taskQueue: 'none' },
      logger: createLogger('test-api', 'silent'),
      approvals: { routing: defaultRouting, slaPerLevelMs: 86_400_000, deadlineMs: 7 * 86_400_000 },
      clients: [{ name: 'backoffice', token: 'backoffice-token-0123456789', scopes: ['*'] }],
      pool: stack.services.pool,
      retention: { callers: [{ name: 'worker', token: worker }] },
    });
    await api.listen({ host: '127.0.0.1', port: 0 });
    try {
      const apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
      await oldKey('api', 'ret-api-old', 31);
      await oldKey('api', 'ret-api-new', 1);
      const body = { windows, batchSize: 10 };
      expect((await http('POST', `${apiUrl}/retention`, body, { authorization: null })).status).toBe(401);
      const apiToken = { authorization: 'Bearer backoffice-token-0123456789' }; // an API token is no service token
      expect((await http('POST', `${apiUrl}/retention`, body, apiToken)).status).toBe(401);
      expect(await keysLike('api', 'ret-api-')).toEqual(['ret-api-new', 'ret-api-old']);

      const urls = Object.fromEntries(serviceNames.map((n) => [n, stack.url(n)])) as Record<ServiceName, string>;
      const activities = createActivities(serviceDeps(urls, worker), stack.client, { baseUrl: apiUrl, token: worker });
      const taskQueue = uniqueTaskQueue('int-retention-api');
      const run = (runId: string, acts: typeof activities) =>
        withWorker({ connection: stack.nativeConnection, taskQueue, activities: acts }, async () =>
          (await startRetention(stack.client, { taskQueue, runId, windows, services: ['api', 'order'] })).result(),
        );
      const reached = await run('ret-api', activities);
      expect(reached.removed.api).toEqual({ idempotencyKeys: 1 });
      expect(reached.failed).toEqual({});
      expect(await keysLike('api', 'ret-api-')).toEqual(['ret-api-new']);

      // Without the API's URL the run still trims the order service, and says what it could not do.
      await oldKey('order', 'ret-after-api', 31);
      const unreached = await run('ret-no-api', stack.activities);
      expect(unreached.failed.api).toContain('no URL for api');
      expect(unreached.complete).toBe(false);
      expect(await keysLike('order', 'ret-after-api')).toEqual([]);
    } finally {
      await api.close();
    }
  });

  it('refuses bad windows at the edge, naming the field', async () => {
    const bad = await http(
      'POST',
      `${stack.url('order')}/retention`,
      { windows: { ...windows, callbacks: 0 }, batchSize: 10 },
      { 'idempotency-key': 'ret-bad' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('windows.callbacks');
    await expect(
      startRetention(stack.client, { taskQueue: 'none', runId: 'ret-bad', windows, batchSize: 100_000 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
