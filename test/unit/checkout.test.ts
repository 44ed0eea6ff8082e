import type { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { CheckoutInput } from '../../contracts/checkout';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { checkout, sagaStateQuery } from '../../workflows';
import { compensationsIn, mockActivities } from '../support/mock-activities';
import { useTimeSkippingEnv } from '../support/fixtures';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const ts = useTimeSkippingEnv();

let seq = 0;
const input = (extra: Partial<CheckoutInput> = {}): CheckoutInput => ({
  orderId: `co-${++seq}`,
  customerId: 'c-1',
  currency: 'EUR',
  items: [{ sku: 'A', quantity: 2, unitPriceCents: 2500 }],
  couponCode: 'SAVE5',
  walletCents: 1000,
  paymentMethod: testPaymentMethods.success,
  ...extra,
});

async function run(activities: ReturnType<typeof mockActivities>['activities'], i = input()) {
  const taskQueue = uniqueTaskQueue('unit-checkout');
  return withWorker({ connection: ts.env.nativeConnection, taskQueue, activities }, async () => {
    const handle = await ts.env.client.workflow.start(checkout, {
      taskQueue,
      workflowId: `checkout:${i.orderId}`,
      args: [i],
    });
    const outcome = await handle.result().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    return { ...outcome, state: await handle.query(sagaStateQuery) };
  });
}

describe('checkout: stock, coupon and wallet by TCC, the rest by card', () => {
  it('tries all three branches, charges the rest, then confirms all after the charge', async () => {
    const { calls, activities } = mockActivities();
    const { result, state } = await run(activities);
    expect(result).toMatchObject({ status: 'PAID', cardCents: 3500, walletCents: 1000, discountCents: 500 });
    const charge = calls.indexOf('chargeCard');
    for (const t of ['tryFreezeStock', 'tryLockCoupon', 'tryFreezeBalance'])
      expect(calls.indexOf(t)).toBeLessThan(charge);
    for (const c of ['confirmFrozenStock', 'confirmCoupon', 'confirmFrozenBalance']) {
      expect(calls.indexOf(c)).toBeGreaterThan(charge);
    }
    expect(compensationsIn(calls)).toEqual([]);
    expect(state.steps.find((s) => s.name === 'reserve')?.branches?.map((b) => b.phase)).toEqual([
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
  });

  it('a declined card cancels every reservation and the order, and confirms none', async () => {
    const { calls, activities } = mockActivities({
      chargeCard: async () => {
        throw ApplicationFailure.nonRetryable('declined', 'CardDeclined');
      },
    });
    const { error, state } = await run(activities);
    expect(error).toBeDefined();
    expect(new Set(compensationsIn(calls))).toEqual(
      new Set(['cancelFrozenStock', 'cancelCouponLock', 'cancelFrozenBalance', 'cancelOrder']),
    );
    expect(calls.filter((c) => c.startsWith('confirm'))).toEqual([]);
    expect(state.status).toBe('COMPENSATED');
  });

  it('a wallet amount above what is due is refused before any money moves', async () => {
    const { calls, activities } = mockActivities();
    const { state, error } = await run(activities, input({ walletCents: 4800 })); // due: 5000 - 500 coupon = 4500 < 4800
    expect(calls).not.toContain('chargeCard');
    expect(new Set(compensationsIn(calls))).toEqual(
      new Set(['cancelFrozenStock', 'cancelCouponLock', 'cancelFrozenBalance', 'cancelOrder']),
    );
    // Named as what it is, not as a charge-card step that never ran.
    expect(state.status).toBe('ABORTED');
    expect(state.aborted).toEqual({
      reason: 'wallet amount 4800 exceeds the 4500 cents due',
      type: 'WalletExceedsTotal',
    });
    expect(state.failure).toBeUndefined();
    // The charge never ran: the finished saga's timeline does not list it as pending.
    expect(state.steps.map((s) => s.name)).not.toContain('charge-card');
    expect((error as WorkflowFailedError).cause).toMatchObject({ type: 'WalletExceedsTotal', nonRetryable: true });
  });
});
