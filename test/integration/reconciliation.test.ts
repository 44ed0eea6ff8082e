import { describe, expect, inject, it } from 'vitest';
import {
  ensureReconciliationSchedule,
  reconciliationScheduleId,
  startPayment,
  startReconciliation,
  ValidationError,
} from '../../client';
import type { ReconciliationReport } from '../../contracts/reconciliation';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { useStack } from '../support/fixtures';
import { runEntry } from '../support/run';
import { http } from '../support/services';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

// Reconciliation compares everything in a window; like every file, this one has a database of its own.
const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const post = (service: 'order' | 'payments', path: string, body: unknown, key: string) =>
  http('POST', `${stack.url(service)}${path}`, body, { 'idempotency-key': key });
const settle = (chargeId: string) =>
  expect
    .poll(async () => (await http('GET', `${stack.url('payments')}/charges/${chargeId}`)).body.status, {
      timeout: 10_000,
    })
    .not.toBe('PENDING');

/** An order in our books: PENDING, then PAID with `chargeId` and `cents`, or CANCELLED. */
async function order(orderId: string, end: 'PENDING' | 'CANCELLED' | { chargeId: string; cents: number }) {
  const { customerId, currency, items } = anOrder(orderId, [`${orderId}-a`, `${orderId}-b`]);
  await post('order', `/orders/${orderId}/validate`, { customerId, currency, items }, `seed:${orderId}`);
  if (end === 'CANCELLED') await post('order', `/orders/${orderId}/cancel`, { reason: 'seeded' }, `seed:${orderId}:c`);
  else if (end !== 'PENDING') {
    const paid = { chargeId: end.chargeId, amountCents: end.cents };
    await post('order', `/orders/${orderId}/mark-paid`, paid, `seed:${orderId}:p`);
  }
}
/** A settled charge at the gateway, for `orderId`, reporting to `payment:<orderId>`. */
async function charge(orderId: string, chargeId: string, cents: number, card: string = testPaymentMethods.noCallback) {
  const body = { chargeId, orderId, amountCents: cents, currency: 'EUR', paymentMethod: card };
  expect((await post('payments', '/charges', body, `seed:${chargeId}`)).status).toBe(201);
  await settle(chargeId);
}

async function reconcile(runId: string, from: string, unpaidPolicy: 'refund' | 'complete' = 'refund') {
  const taskQueue = uniqueTaskQueue('int-reconcile');
  const to = new Date(Date.now() + 1000).toISOString();
  return withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () =>
    (await startReconciliation(stack.client, { taskQueue, runId, from, to, unpaidPolicy })).result(),
  );
}
const summarize = (r: ReconciliationReport) =>
  r.findings
    .map((f) => [f.kind, f.orderId, f.chargeId, f.action, f.new])
    .sort((a, b) => String(a[1]).localeCompare(String(b[1])));

describe('reconciliation against the gateway statement', () => {
  it('finds and repairs every seeded discrepancy, and a second run finds nothing new', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    // Paid at the gateway, order cancelled; its callback came to no workflow (an orphan).
    await order('rc-unpaid', 'CANCELLED');
    await charge('rc-unpaid', 'charge:rc-unpaid', 5000, testPaymentMethods.success);
    // Charged twice: the order was paid with the first; the second capture sits at the gateway.
    await charge('rc-twice', 'charge:rc-twice', 5000);
    await order('rc-twice', { chargeId: 'charge:rc-twice', cents: 5000 });
    await stack.services.pool.query(
      `INSERT INTO payments.charges (charge_id, order_id, reference, amount_cents, currency, card_last4, status,
         behaviour, captured_at, sequence)
       VALUES ('charge:rc-twice:2', 'rc-twice', 'payment:rc-twice', 5000, 'EUR', '4242', 'CAPTURED', 'noCallback', now(), 2)`,
    );
    // Paid in our books with a charge the gateway never saw.
    await order('rc-ghost', { chargeId: 'charge:rc-ghost', cents: 5000 });
    // Paid 5000 with a capture of 4000.
    await charge('rc-amount', 'charge:rc-amount', 4000);
    await order('rc-amount', { chargeId: 'charge:rc-amount', cents: 5000 });
    // In order: nothing to find.
    await charge('rc-fine', 'charge:rc-fine', 5000);
    await order('rc-fine', { chargeId: 'charge:rc-fine', cents: 5000 });
    // Captured for a pending order whose saga still runs: the saga decides, not reconciliation.
    await order('rc-inflight', 'PENDING');
    const running = await startPayment(stack.client, anOrder('rc-inflight', ['rc-if-a', 'rc-if-b']), {
      taskQueue: uniqueTaskQueue('nobody-polls'),
    });
    await charge('rc-inflight', 'charge:rc-inflight', 5000);
    await expect
      .poll(async () => (await http('GET', `${stack.url('billing')}/callbacks/orphaned`)).body, { timeout: 10_000 })
      .toHaveLength(1);

    const first = await reconcile('rc-run-1', from);
    expect(summarize(first)).toEqual([
      ['amount-mismatch', 'rc-amount', 'charge:rc-amount', 'flag', true],
      ['paid-without-charge', 'rc-ghost', 'charge:rc-ghost', 'flag', true],
      ['charged-twice', 'rc-twice', 'charge:rc-twice:2', 'refund', true],
      ['paid-order-unpaid', 'rc-unpaid', 'charge:rc-unpaid', 'refund', true],
    ]);
    expect(first.summary).toEqual({ findings: 4, new: 4, repaired: 2, flagged: 2 });
    expect(first.deferredOrderIds).toEqual(['rc-inflight']);
    expect(first.orphansHandled).toHaveLength(1);
    // The repairs took effect: both extra captures are refunded, nothing else moved.
    await expect.poll(() => db.chargesOf('rc-unpaid'), { timeout: 10_000 }).toMatchObject([{ status: 'REFUNDED' }]);
    await expect
      .poll(async () => (await db.chargesOf('rc-twice')).map((c) => `${c.chargeId}=${c.status}`).sort(), {
        timeout: 10_000,
      })
      .toEqual(['charge:rc-twice:2=REFUNDED', 'charge:rc-twice=CAPTURED']);
    expect(await db.chargesOf('rc-inflight')).toMatchObject([{ status: 'CAPTURED' }]);
    expect(await db.chargesOf('rc-fine')).toMatchObject([{ status: 'CAPTURED' }]);
    // The orphan it looked at is handled; the refunds' own callbacks are the next run's orphans.
    const orphans = async () =>
      (await http('GET', `${stack.url('billing')}/callbacks/orphaned`)).body as { eventId: string; type: string }[];
    await expect
      .poll(async () => (await orphans()).map((o) => o.type), { timeout: 10_000 })
      .toEqual(['refund.succeeded', 'refund.succeeded']);
    expect((await orphans()).map((o) => o.eventId)).not.toContain(first.orphansHandled[0]);

    const second = await reconcile('rc-run-2', from);
    expect(second.summary).toEqual({ findings: 2, new: 0, repaired: 0, flagged: 2 });
    const latest = await http('GET', `${stack.url('billing')}/reconciliation/reports?limit=2`);
    expect(latest.body.map((r: ReconciliationReport) => r.reportId)).toEqual([second.reportId, first.reportId]);
    expect(second.orphansHandled).toHaveLength(2);
    expect(second.deferredOrderIds).toEqual(['rc-inflight']); // still its saga's to decide
    expect(await orphans()).toEqual([]);
    await running.terminate('test cleanup');
  });

  it('with the complete policy, pays pending orders whose capture outlived their saga, deferred ones too', async () => {
    const from = new Date().toISOString(); // after everything the test before seeded
    await order('rc-complete', 'PENDING');
    await charge('rc-complete', 'charge:rc-complete', 5000);
    // rc-inflight was deferred by the runs before while its saga ran; that saga has since been
    // terminated, so this run (whose window does not cover it) takes it up again.
    const report = await reconcile('rc-run-3', from, 'complete');
    expect(summarize(report)).toEqual([
      ['paid-order-unpaid', 'rc-complete', 'charge:rc-complete', 'complete-order', true],
      ['paid-order-unpaid', 'rc-inflight', 'charge:rc-inflight', 'complete-order', true],
    ]);
    expect(report.deferredOrderIds).toEqual([]);
    expect(await db.orderOf('rc-complete')).toMatchObject({
      status: 'PAID',
      chargeId: 'charge:rc-complete',
      paidCents: 5000,
    });
    expect(await db.orderOf('rc-inflight')).toMatchObject({ status: 'PAID', chargeId: 'charge:rc-inflight' });
    expect(await db.chargesOf('rc-complete')).toMatchObject([{ status: 'CAPTURED' }]);
    expect((await reconcile('rc-run-4', from, 'complete')).findings).toEqual([]);
  });

  it('refuses a bad window at the client, naming the field, and starts nothing', async () => {
    const err = await startReconciliation(stack.client, {
      taskQueue: 'unused',
      runId: 'rc-bad',
      from: '2026-01-02T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual([{ path: 'from', message: 'must be before to' }]);
    await expect(stack.client.workflow.getHandle('reconciliation:rc-bad').describe()).rejects.toThrow(/not found/i);
  });

  it('keeps one Schedule, created or updated at every start, whose runs store a report', async () => {
    const taskQueue = uniqueTaskQueue('int-schedule');
    const options = { taskQueue, intervalMs: 3_600_000, lookbackMs: 60_000, unpaidPolicy: 'refund' as const };
    await ensureReconciliationSchedule(stack.client, options);
    await ensureReconciliationSchedule(stack.client, { ...options, intervalMs: 1_800_000 });
    const handle = stack.client.schedule.getHandle(reconciliationScheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.intervals).toMatchObject([{ every: 1_800_000 }]);
      // A worker started with other settings (`keep`) leaves the Schedule as it is and says how it differs.
      const kept = await ensureReconciliationSchedule(stack.client, { ...options, intervalMs: 7_200_000 }, 'keep');
      expect(kept).toEqual({
        scheduleId: reconciliationScheduleId,
        outcome: 'differs',
        difference: 'runs every 1800000 ms, the configuration says 7200000 ms',
      });
      expect((await handle.describe()).spec.intervals).toMatchObject([{ every: 1_800_000 }]);
      expect(await ensureReconciliationSchedule(stack.client, { ...options, intervalMs: 1_800_000 }, 'keep')).toEqual({
        scheduleId: reconciliationScheduleId,
        outcome: 'unchanged',
      });
      // `npm run schedules` is the step that changes it.
      const env = {
        ...process.env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        RECONCILE_INTERVAL: '2h',
        RECONCILE_LOOKBACK: '1m',
      };
      expect((await runEntry('apps/schedules/main.ts', env, ['nope'])).code).toBe(2);
      const applied = await runEntry('apps/schedules/main.ts', env, [reconciliationScheduleId]);
      expect(applied.stdout).toContain(`${reconciliationScheduleId}: updated`);
      expect((await handle.describe()).spec.intervals).toMatchObject([{ every: 7_200_000 }]);
      const before = (await http('GET', `${stack.url('billing')}/reconciliation/reports?limit=100`)).body.length;
      await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
        await handle.trigger();
        await expect
          .poll(
            async () => (await http('GET', `${stack.url('billing')}/reconciliation/reports?limit=100`)).body.length,
            {
              timeout: 30_000,
            },
          )
          .toBe(before + 1);
      });
    } finally {
      await handle.delete();
    }
  });
});
