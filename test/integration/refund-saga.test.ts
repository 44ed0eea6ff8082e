import { describe, expect, it } from 'vitest';
import { AlreadyStarted, approvalActions, approvalState, refundState, startPayment, startRefund } from '../../client';
import { flows } from '../../contracts/flows';
import type { RefundInput } from '../../contracts/refund';
import type { RefundOptions } from '../../workflows';
import { useStack } from '../support/fixtures';
import { anOrder, shop } from '../support/shop';
import { testPolicy } from '../support/policy';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const taskQueue = uniqueTaskQueue('int-refund');
const worker = <T>(fn: () => Promise<T>, policy = testPolicy) =>
  withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities, policy }, fn);
const options: RefundOptions = {};

/** A paid order of 50.00 (2 × 15.00 of `<id>-a`, 1 × 20.00 of `<id>-b`), 50 points awarded. */
async function paidOrder(orderId: string) {
  await db.stock(`${orderId}-a`, 10);
  await db.stock(`${orderId}-b`, 10);
  await (await startPayment(stack.client, anOrder(orderId, [`${orderId}-a`, `${orderId}-b`]), { taskQueue })).result();
}
const refundOf = (orderId: string, refundId: string, amountCents: number, items: RefundInput['items'] = []) => ({
  refundId,
  orderId,
  amountCents,
  items,
  reason: 'customer returned goods',
  requestedBy: 'agent-7',
});
const gatewayRefunds = async (orderId: string) =>
  (
    await stack.services.pool.query(
      `SELECT r.refund_id AS "refundId", r.amount_cents::int AS "amountCents", r.status FROM payments.refunds r
       JOIN payments.charges c USING (charge_id) WHERE c.order_id = $1 ORDER BY r.created_at`,
      [orderId],
    )
  ).rows;
const wallet = async (customerId: string) =>
  (
    await stack.services.pool.query(
      'SELECT balance_points::int AS points, debt_points::int AS debt FROM wallet.accounts WHERE customer_id = $1',
      [customerId],
    )
  ).rows[0];

describe('refundSaga on the real stack', () => {
  it('a partial refund returns items, revokes their points and leaves the order PARTIALLY_REFUNDED; the rest makes it REFUNDED', async () => {
    await worker(async () => {
      await paidOrder('rf-1');
      expect(await db.stockOf('rf-1-a')).toEqual({ available: 8, reserved: 0, sold: 2 });
      const first = await (
        await startRefund(stack.client, refundOf('rf-1', 'rf-1-a', 1500, [{ sku: 'rf-1-a', quantity: 1 }]), {
          taskQueue,
          options,
        })
      ).result();
      expect(first).toMatchObject({
        status: 'REFUNDED',
        pointsRevoked: 15,
        pointsDebt: 0,
        orderStatus: 'PARTIALLY_REFUNDED',
      });
      expect(await db.stockOf('rf-1-a')).toEqual({ available: 9, reserved: 0, sold: 1 });
      expect(await wallet('cust-rf-1')).toEqual({ points: 35, debt: 0 });
      expect(await db.chargesOf('rf-1')).toEqual([{ chargeId: 'charge:rf-1', amountCents: 5000, status: 'CAPTURED' }]);

      const rest = await (
        await startRefund(
          stack.client,
          refundOf('rf-1', 'rf-1-b', 3500, [
            { sku: 'rf-1-a', quantity: 1 },
            { sku: 'rf-1-b', quantity: 1 },
          ]),
          { taskQueue, options },
        )
      ).result();
      expect(rest).toMatchObject({ status: 'REFUNDED', orderStatus: 'REFUNDED' });
    });
    expect(await gatewayRefunds('rf-1')).toEqual([
      { refundId: 'rf-1-a', amountCents: 1500, status: 'SUCCEEDED' },
      { refundId: 'rf-1-b', amountCents: 3500, status: 'SUCCEEDED' },
    ]);
    expect(await db.chargesOf('rf-1')).toEqual([{ chargeId: 'charge:rf-1', amountCents: 5000, status: 'REFUNDED' }]);
    expect(await db.stockOf('rf-1-a')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await db.stockOf('rf-1-b')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await wallet('cust-rf-1')).toEqual({ points: 0, debt: 0 });
    expect(await db.orderOf('rf-1')).toMatchObject({ status: 'REFUNDED' });
  });

  it('points already spent become a debt, never a negative balance', async () => {
    await worker(async () => {
      await paidOrder('rf-2');
      // The customer spent 45 of their 50 points meanwhile.
      await stack.services.pool.query(`UPDATE wallet.accounts SET balance_points = 5 WHERE customer_id = 'cust-rf-2'`);
      const result = await (
        await startRefund(stack.client, refundOf('rf-2', 'rf-2-a', 5000), { taskQueue, options })
      ).result();
      expect(result).toMatchObject({ status: 'REFUNDED', pointsRevoked: 5, pointsDebt: 45 });
    });
    expect(await wallet('cust-rf-2')).toEqual({ points: 0, debt: 45 });
  });

  it('two refunds at once that together exceed the capture: one refunds, the other is refused and changes nothing', async () => {
    const outcomes = await worker(async () => {
      await paidOrder('rf-3');
      const [a, b] = await Promise.all([
        startRefund(stack.client, refundOf('rf-3', 'rf-3-a', 3000), { taskQueue, options }),
        startRefund(stack.client, refundOf('rf-3', 'rf-3-b', 3000), { taskQueue, options }),
      ]);
      return Promise.allSettled([a.result(), b.result()]);
    });
    const refunded = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(refunded).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String((refused[0]!.reason as Error & { cause?: Error }).cause?.message)).toMatch(/RefundExceedsCapture/);
    expect((await gatewayRefunds('rf-3')).map((r) => r.amountCents)).toEqual([3000]);
    expect(await db.orderOf('rf-3')).toMatchObject({ status: 'PARTIALLY_REFUNDED' });
    expect(await wallet('cust-rf-3')).toEqual({ points: 20, debt: 0 });
  });

  it('a refund listing a SKU not on the order, or more than was sold, is refused before any money moves', async () => {
    const outcomes = await worker(async () => {
      await paidOrder('rf-9');
      await db.stock('rf-9-other', 10);
      const notOnOrder = refundOf('rf-9', 'rf-9-x', 1000, [{ sku: 'rf-9-other', quantity: 1 }]);
      const tooMany = refundOf('rf-9', 'rf-9-y', 1000, [{ sku: 'rf-9-a', quantity: 3 }]); // 2 were sold
      return Promise.allSettled([
        (await startRefund(stack.client, notOnOrder, { taskQueue, options })).result(),
        (await startRefund(stack.client, tooMany, { taskQueue, options })).result(),
      ]);
    });
    for (const o of outcomes) {
      expect(o.status).toBe('rejected');
      expect(String(((o as PromiseRejectedResult).reason as Error & { cause?: Error }).cause?.message)).toMatch(
        /ReturnNotPossible/,
      );
    }
    expect(await gatewayRefunds('rf-9')).toEqual([]);
    expect(await db.orderOf('rf-9')).toMatchObject({ status: 'PAID' });
    expect(await db.stockOf('rf-9-a')).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(await db.stockOf('rf-9-other')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await wallet('cust-rf-9')).toEqual({ points: 50, debt: 0 });
  });

  it('the same refund id twice refunds once', async () => {
    await worker(async () => {
      await paidOrder('rf-4');
      const input = refundOf('rf-4', 'rf-4-a', 1000);
      const [a, b] = await Promise.all([
        startRefund(stack.client, input, { taskQueue, options }),
        startRefund(stack.client, input, { taskQueue, options }),
      ]);
      await a.result();
      const again = await startRefund(stack.client, input, { taskQueue, options });
      // The same request after a deploy changed the configured waits: still the same run.
      const redeployed = await startRefund(stack.client, input, {
        taskQueue,
        options: { ...options, payment: { callbackTimeout: '7 seconds' } },
      });
      const runIds = await Promise.all([a, b, again, redeployed].map(async (h) => (await h.describe()).runId));
      expect(new Set(runIds).size).toBe(1);
      // The same refund id for another amount is a conflict, not the old run in disguise.
      const other = startRefund(stack.client, refundOf('rf-4', 'rf-4-a', 1500), { taskQueue, options });
      await expect(other).rejects.toBeInstanceOf(AlreadyStarted);
      await expect(other).rejects.toMatchObject({ workflowId: 'refund:rf-4-a', status: 'COMPLETED' });
    });
    expect(await gatewayRefunds('rf-4')).toHaveLength(1);
    expect(await wallet('cust-rf-4')).toEqual({ points: 40, debt: 0 });
  });

  it('above the configured threshold waits for approval, whatever its caller asks; rejected, no money moves', async () => {
    const small = { refund: { ...testPolicy.refund, approvalThresholdCents: 1000 } };
    await worker(async () => {
      await paidOrder('rf-5');
      await paidOrder('rf-6');
      await startRefund(stack.client, refundOf('rf-5', 'rf-5-a', 2000, [{ sku: 'rf-5-a', quantity: 1 }]), {
        taskQueue,
      });
      // Past the typed client: a raw start that names a threshold of its own is still asked for approval.
      await stack.client.workflow.start(flows.refundSaga.type, {
        taskQueue,
        workflowId: flows.refundSaga.id('rf-6-a'),
        args: [refundOf('rf-6', 'rf-6-a', 2000), { approvalThresholdCents: 1_000_000 }],
      });
      await expect
        .poll(() => approvalState(stack.client, 'refund:rf-5-a').catch(() => undefined))
        .toMatchObject({
          status: 'PENDING',
          currentApprover: 'tl-support',
        });
      await expect
        .poll(() => approvalState(stack.client, 'refund:rf-6-a').catch(() => undefined))
        .toMatchObject({
          status: 'PENDING',
        });
      // Waiting: no money has moved.
      expect(await gatewayRefunds('rf-5')).toEqual([]);
      await approvalActions.reject(stack.client, 'refund:rf-5-a', { by: 'tl-support', reason: 'item was used' });
      await approvalActions.approve(stack.client, 'refund:rf-6-a', { by: 'tl-support' });
      await expect
        .poll(async () => (await refundState(stack.client, 'rf-5-a')).status, { timeout: 20_000 })
        .toBe('COMPLETED');
      await expect
        .poll(async () => (await refundState(stack.client, 'rf-6-a')).status, { timeout: 20_000 })
        .toBe('COMPLETED');
    }, small);
    expect((await refundState(stack.client, 'rf-5-a')).result).toMatchObject({
      status: 'REJECTED',
      reason: expect.stringContaining('item was used'),
    });
    expect(await gatewayRefunds('rf-5')).toEqual([]);
    expect(await db.stockOf('rf-5-a')).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(await db.orderOf('rf-5')).toMatchObject({ status: 'PAID' });
    expect(await wallet('cust-rf-5')).toEqual({ points: 50, debt: 0 });
    expect(await gatewayRefunds('rf-6')).toEqual([{ refundId: 'rf-6-a', amountCents: 2000, status: 'SUCCEEDED' }]);
    expect(await db.orderOf('rf-6')).toMatchObject({ status: 'PARTIALLY_REFUNDED' });
  });
});
