import { describe, expect, inject, it } from 'vitest';
import { cancelFlow, NotFound, startPayment, ValidationError } from '../../client';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { sagaStateQuery } from '../../workflows';
import { anOrder, shop } from '../support/shop';
import { activitySummaries, uniqueTaskQueue, withWorker } from '../support/temporal';
import { startWorkerProcess } from '../support/run';
import { useStack } from '../support/fixtures';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);

/** Runs `fn` with an in-process worker holding the real activities. */
function withRealWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueTaskQueue('int-payment');
  return withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, () =>
    fn(taskQueue),
  );
}

describe('paymentSaga on the real dev server, PostgreSQL and services', () => {
  it('the happy path leaves stock, points, coupon, shipment, charge and order right', async () => {
    await db.stock('PS-1a', 10);
    await db.stock('PS-1b', 10);
    await db.coupon('PS-1-SAVE', 500);
    const input = anOrder('ps-1', ['PS-1a', 'PS-1b'], { couponCode: 'PS-1-SAVE' });
    const handle = await withRealWorker(async (taskQueue) => {
      const started = await startPayment(stack.client, input, { taskQueue });
      await started.result();
      return started;
    });

    expect(await handle.result()).toMatchObject({ status: 'PAID', amountCents: 4500, discountCents: 500, points: 45 });
    expect(await db.stockOf('PS-1a')).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(await db.stockOf('PS-1b')).toEqual({ available: 9, reserved: 0, sold: 1 });
    expect(await db.couponOf('PS-1-SAVE')).toEqual({ status: 'REDEEMED', orderId: 'ps-1' });
    expect(await db.pointsOf('cust-ps-1')).toBe(45);
    expect(await db.shipmentsOf('ps-1')).toEqual([{ status: 'CREATED' }]);
    expect(await db.chargesOf('ps-1')).toEqual([{ chargeId: 'charge:ps-1', amountCents: 4500, status: 'CAPTURED' }]);
    expect(await db.orderOf('ps-1')).toMatchObject({ status: 'PAID', chargeId: 'charge:ps-1', paidCents: 4500 });
    // The history reads as the business story (polls, if the callback was slow, are left out).
    const story = (await activitySummaries(handle)).filter((s) => !s.startsWith('Ask the gateway'));
    expect(story).toEqual([
      'Check order ps-1 for customer cust-ps-1: 2× PS-1a, 1× PS-1b',
      'Reserve stock for order ps-1: 2× PS-1a, 1× PS-1b',
      'Lock coupon PS-1-SAVE for order ps-1',
      'Charge 45.00 EUR for order ps-1 (charge:ps-1)',
      'Award 45 points to cust-ps-1 for order ps-1',
      'Create shipment shipment:ps-1 for order ps-1: 3 units',
      'Mark order ps-1 paid: 4500 minor units (charge charge:ps-1)',
      'Sell the stock reserved for order ps-1',
      'Redeem coupon PS-1-SAVE for order ps-1',
    ]);
  });

  it('with local activities the same order ends the same, with no activity tasks in its history', async () => {
    await db.stock('PS-L-a', 10);
    await db.stock('PS-L-b', 10);
    const input = anOrder('ps-local', ['PS-L-a', 'PS-L-b']);
    const handle = await withRealWorker(async (taskQueue) => {
      const started = await startPayment(stack.client, input, { taskQueue, sagaOptions: { localActivities: true } });
      await started.result();
      return started;
    });
    expect(await handle.result()).toMatchObject({ status: 'PAID', amountCents: 5000, points: 50 });
    expect(await db.stockOf('PS-L-a')).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(await db.chargesOf('ps-local')).toEqual([
      { chargeId: 'charge:ps-local', amountCents: 5000, status: 'CAPTURED' },
    ]);
    const { events } = await handle.fetchHistory();
    expect(events?.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    expect(events?.filter((e) => e.markerRecordedEventAttributes).length).toBeGreaterThanOrEqual(6);
  });

  it('a declined card leaves stock and coupon as they were, no points, and the order cancelled', async () => {
    await db.stock('PS-2a', 10);
    await db.stock('PS-2b', 10);
    await db.coupon('PS-2-SAVE', 500);
    const input = anOrder('ps-2', ['PS-2a', 'PS-2b'], {
      couponCode: 'PS-2-SAVE',
      paymentMethod: testPaymentMethods.declined,
    });
    const { error, state, story } = await withRealWorker(async (taskQueue) => {
      const handle = await startPayment(stack.client, input, { taskQueue });
      const error = await handle.result().then(
        () => undefined,
        (e: unknown) => e as Error & { cause?: Error },
      );
      return { error, state: await handle.query(sagaStateQuery), story: await activitySummaries(handle) };
    });

    expect(error?.cause?.message).toMatch(
      /failed at charge-card: CardDeclined.*compensated: lock-coupon, reserve-stock, validate-order/,
    );
    // Compensations read in the history in reverse order of the steps they undo.
    expect(story.filter((s) => !s.startsWith('Ask the gateway')).slice(3)).toEqual([
      'Charge 45.00 EUR for order ps-2 (charge:ps-2)',
      'Release coupon PS-2-SAVE from order ps-2',
      'Release the stock reserved for order ps-2',
      expect.stringMatching(/^Cancel order ps-2: .*CardDeclined/),
    ]);
    expect(state.status).toBe('COMPENSATED');
    expect(await db.stockOf('PS-2a')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await db.stockOf('PS-2b')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await db.couponOf('PS-2-SAVE')).toEqual({ status: 'AVAILABLE', orderId: null });
    expect(await db.pointsOf('cust-ps-2')).toBe(0);
    // The gateway declined it (by callback): a FAILED charge, no money taken.
    expect(await db.chargesOf('ps-2')).toEqual([{ chargeId: 'charge:ps-2', amountCents: 4500, status: 'FAILED' }]);
    expect(await db.shipmentsOf('ps-2')).toEqual([]);
    const order = await db.orderOf('ps-2');
    expect(order.status).toBe('CANCELLED');
    expect(order.cancelReason).toContain('CardDeclined');
  });

  it('the same order started twice (and again after it finished) runs once and charges once', async () => {
    await db.stock('PS-3a', 10);
    await db.stock('PS-3b', 10);
    const input = anOrder('ps-3', ['PS-3a', 'PS-3b']);
    const runIds = await withRealWorker(async (taskQueue) => {
      const [a, b] = await Promise.all([
        startPayment(stack.client, input, { taskQueue }),
        startPayment(stack.client, input, { taskQueue }),
      ]);
      await a.result();
      const c = await startPayment(stack.client, input, { taskQueue });
      return Promise.all([a, b, c].map(async (h) => (await h.describe()).runId));
    });
    expect(new Set(runIds).size).toBe(1);
    expect(await db.chargesOf('ps-3')).toHaveLength(1);
    expect(await db.stockOf('PS-3a')).toEqual({ available: 8, reserved: 0, sold: 2 });
  });

  it('cancelled while a slow charge is in flight: the order is cancelled and no money stays taken', async () => {
    await db.stock('PS-6a', 10);
    await db.stock('PS-6b', 10);
    const input = anOrder('ps-6', ['PS-6a', 'PS-6b'], { paymentMethod: testPaymentMethods.slow });
    await withRealWorker(async (taskQueue) => {
      const handle = await startPayment(stack.client, input, { taskQueue });
      await expect
        .poll(async () => (await handle.query(sagaStateQuery)).steps.find((s) => s.name === 'charge-card')?.status, {
          timeout: 20_000,
          interval: 50,
        })
        .toBe('running');
      await cancelFlow(stack.client, 'payment:ps-6'); // the client's helper, as an operator's tool would call it
      await handle.result().catch(() => undefined);
      // The charge request is still at the gateway (3 s); the refund came first and voided it.
      await new Promise((r) => setTimeout(r, 3500));
    });
    expect((await db.chargesOf('ps-6')).filter((c) => c.status === 'CAPTURED')).toEqual([]);
    expect(await db.stockOf('PS-6a')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect((await db.orderOf('ps-6')).status).toBe('CANCELLED');
  });

  it('cancelling a flow that does not exist says so', async () => {
    await expect(cancelFlow(stack.client, 'payment:nobody')).rejects.toBeInstanceOf(NotFound);
  });

  it('refuses bad input at the client, naming each field, and starts nothing', async () => {
    const bad = { ...anOrder('ps 4', ['PS-4a', 'PS-4a']), currency: 'XXX', paymentMethod: 'tok-1' };
    const err = await startPayment(stack.client, bad as never, { taskQueue: 'unused' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields.map((f) => f.path)).toEqual([
      'orderId',
      'customerId',
      'currency',
      'items',
      'paymentMethod',
    ]);
    await expect(stack.client.workflow.getHandle('payment:ps 4').describe()).rejects.toThrow(/not found/i);
  });

  it('survives a worker killed with SIGKILL mid-saga: completes with one charge and stock taken once', async () => {
    await db.stock('PS-5a', 10);
    await db.stock('PS-5b', 10);
    const taskQueue = uniqueTaskQueue('int-crash');
    const worker = () =>
      startWorkerProcess({ temporalAddress: inject('temporalAddress'), taskQueue, url: (n) => stack.url(n) });
    const first = worker();
    // The slow card keeps the charge in flight for 3 s: the worker dies while it waits.
    const input = anOrder('ps-5', ['PS-5a', 'PS-5b'], { paymentMethod: testPaymentMethods.slow });
    const handle = await startPayment(stack.client, input, { taskQueue });
    await expect.poll(() => db.reservationRows('ps-5'), { timeout: 60_000, interval: 100 }).toHaveLength(2);
    const killed = new Promise((resolve) => first.once('exit', resolve));
    process.kill(-first.pid!, 'SIGKILL');
    await killed;

    const second = worker();
    try {
      const result = await handle.result();
      expect(result.status).toBe('PAID');
    } finally {
      process.kill(-second.pid!, 'SIGTERM');
    }
    expect(await db.chargesOf('ps-5')).toHaveLength(1);
    expect(await db.stockOf('PS-5a')).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(await db.stockOf('PS-5b')).toEqual({ available: 9, reserved: 0, sold: 1 });
    expect(await db.orderOf('ps-5')).toMatchObject({ status: 'PAID' });
  });
});
