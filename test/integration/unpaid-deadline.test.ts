import { describe, expect, it } from 'vitest';
import { startPayment } from '../../client';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { sagaStateQuery } from '../../workflows';
import { useStack } from '../support/fixtures';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

// The late capture comes 30 s after the create: far past the 3 s deadline, so what is released at
// the deadline is told apart from what waits for the gateway without timing anything.
const stack = useStack({ gatewayTimings: { lateMs: 30_000 } });
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const refundsOf = async (orderId: string) =>
  (
    await stack.services.pool.query(
      `SELECT r.amount_cents::int AS "amountCents", r.status FROM payments.refunds r
       JOIN payments.charges c USING (charge_id) WHERE c.order_id = $1`,
      [orderId],
    )
  ).rows as { amountCents: number; status: string }[];

describe('the unpaid deadline with a charge the gateway cannot void while pending (real stack)', () => {
  it('cancels the order and releases stock and coupon at the deadline; refunds the money once, when it settles', async () => {
    await db.stock('UD-a', 10);
    await db.stock('UD-b', 10);
    await db.coupon('UD-SAVE', 500);
    const input = anOrder('ud-1', ['UD-a', 'UD-b'], {
      couponCode: 'UD-SAVE',
      paymentMethod: testPaymentMethods.lateSuccess,
    });
    const taskQueue = uniqueTaskQueue('int-deadline');
    const payment = { unpaidDeadline: '3 seconds', callbackTimeout: '1 minute' };
    const error = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      async () => {
        const handle = await startPayment(stack.client, input, { taskQueue, sagaOptions: { payment } });
        await expect
          .poll(async () => (await db.orderOf('ud-1'))?.status, { timeout: 20_000, interval: 100 })
          .toBe('CANCELLED');
        // Right after the deadline, while the gateway still holds the charge pending: nothing else is held.
        expect(await db.chargesOf('ud-1')).toEqual([{ chargeId: 'charge:ud-1', amountCents: 4500, status: 'PENDING' }]);
        expect(await db.stockOf('UD-a')).toEqual({ available: 10, reserved: 0, sold: 0 });
        expect(await db.stockOf('UD-b')).toEqual({ available: 10, reserved: 0, sold: 0 });
        expect(await db.couponOf('UD-SAVE')).toEqual({ status: 'AVAILABLE', orderId: null });
        const held = await handle.query(sagaStateQuery);
        expect(held.status).toBe('COMPENSATING');
        expect(held.steps.find((s) => s.name === 'charge-card')?.status).toBe('compensating');
        expect(await refundsOf('ud-1')).toEqual([]);
        return handle.result().then(
          () => undefined,
          (e: unknown) => e as Error & { cause?: Error },
        );
      },
    );
    expect(error?.cause?.message).toMatch(/failed at charge-card: UnpaidDeadline/);
    // Once captured, the charge's own undo refunds it: one refund, of the full amount.
    await expect
      .poll(() => db.chargesOf('ud-1'), { timeout: 20_000 })
      .toEqual([{ chargeId: 'charge:ud-1', amountCents: 4500, status: 'REFUNDED' }]);
    expect(await refundsOf('ud-1')).toEqual([{ amountCents: 4500, status: 'SUCCEEDED' }]);
    expect(await db.orderOf('ud-1')).toMatchObject({ status: 'CANCELLED' });
    expect(await db.stockOf('UD-a')).toEqual({ available: 10, reserved: 0, sold: 0 });
  });
});
