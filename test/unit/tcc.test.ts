import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { FlashSaleInput } from '../../contracts/flash-sale';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { flashSalePurchase, sagaStateQuery } from '../../workflows';
import { compensationsIn, mockActivities } from '../support/mock-activities';
import { useTimeSkippingEnv } from '../support/fixtures';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const ts = useTimeSkippingEnv();

let seq = 0;
const purchase = (extra: Partial<FlashSaleInput> = {}): FlashSaleInput => ({
  orderId: `fs-${++seq}`,
  customerId: 'c-1',
  currency: 'EUR',
  sku: 'HOT',
  quantity: 1,
  unitPriceCents: 999,
  paymentMethod: testPaymentMethods.success,
  ...extra,
});

async function run(activities: ReturnType<typeof mockActivities>['activities'], input = purchase()) {
  const taskQueue = uniqueTaskQueue('unit-tcc');
  return withWorker({ connection: ts.env.nativeConnection, taskQueue, activities }, async () => {
    const handle = await ts.env.client.workflow.start(flashSalePurchase, {
      taskQueue,
      workflowId: `flash:${input.orderId}`,
      args: [input, { attemptsBeforeAttention: 5, backoff: { initial: '1 second', max: '10 seconds' } }],
    });
    const outcome = await handle.result().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: error as Error & { cause?: { cause?: unknown } } }),
    );
    return { ...outcome, state: await handle.query(sagaStateQuery) };
  });
}

describe('TCC in a workflow (time-skipping server, mocked participants)', () => {
  it('a confirm that fails with network errors many times ends confirmed, and nothing is released', async () => {
    let failures = 0;
    const { calls, activities } = mockActivities({
      confirmFrozenStock: async () => {
        if (++failures <= 12) throw new Error('ECONNRESET'); // more than one activity retry budget
        return { outcome: 'applied' };
      },
    });
    const { result, state } = await run(activities);
    expect(result?.status).toBe('PAID');
    expect(calls.filter((c) => c === 'confirmFrozenStock')).toHaveLength(13);
    expect(calls).not.toContain('cancelFrozenStock');
    expect(calls).not.toContain('refundCharge');
    expect(state.steps.find((s) => s.name === 'freeze-stock')?.branches).toEqual([
      { name: 'inventory', phase: 'confirmed' },
    ]);
  });

  it('a refused try cancels every branch and charges nothing', async () => {
    const { calls, activities } = mockActivities({
      tryFreezeStock: async () => {
        throw ApplicationFailure.nonRetryable('sold out', 'OutOfStock');
      },
    });
    const { error, state } = await run(activities);
    expect(error).toBeDefined();
    expect(calls).toEqual(['tryFreezeStock', 'cancelFrozenStock']);
    expect(state.status).toBe('COMPENSATED');
    expect(state.steps.find((s) => s.name === 'freeze-stock')?.branches?.[0]?.phase).toBe('cancelled');
  });

  it('a try phase past its deadline is cancelled', async () => {
    const { calls, activities } = mockActivities({
      tryFreezeStock: async () => {
        const ctx = Context.current();
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(100);
        }
      },
    });
    const { error, state } = await run(activities, purchase({ tryTimeoutMs: 2000 }));
    expect(error).toBeDefined();
    expect(calls).toContain('cancelFrozenStock');
    expect(calls).not.toContain('chargeCard');
    expect(state.status).toBe('COMPENSATED');
    expect(error?.cause?.cause).toMatchObject({ type: 'TccTryTimeout' });
  });
});

describe('a flash-sale purchase the gate admitted (gated)', () => {
  const refuse = (type: string) => async () => {
    throw ApplicationFailure.nonRetryable(type, type);
  };
  it.each([
    ['a declined card', { chargeCard: refuse('CardDeclined') }, true, ['cancelFrozenStock', 'returnGateUnit']],
    [
      'the buyer limit in the database',
      { tryFreezeStock: refuse('BuyerLimitReached') },
      true,
      ['cancelFrozenStock', 'returnGateUnit'],
    ],
    // The database had no unit to freeze: the gate let one too many through, and giving it back would let another.
    ['no stock in the database', { tryFreezeStock: refuse('OutOfStock') }, true, ['cancelFrozenStock']],
    ['a declined card, not gated', { chargeCard: refuse('CardDeclined') }, false, ['cancelFrozenStock']],
  ] as const)(
    '%s: the freeze is cancelled first, then the unit goes back to the gate when it should',
    async (_name, fault, gated, undone) => {
      const seen: { buyerId?: string }[] = [];
      const { calls, activities } = mockActivities({
        ...fault,
        ...('tryFreezeStock' in fault
          ? {}
          : {
              tryFreezeStock: async (i) => {
                seen.push({ buyerId: i.buyerId });
                return { outcome: 'applied' as const };
              },
            }),
      });
      const { error, state } = await run(activities, purchase({ gated, customerId: 'buyer-7' }));
      expect(error).toBeDefined();
      expect(state.status).toBe('COMPENSATED');
      expect(compensationsIn(calls)).toEqual(undone);
      if (seen.length > 0) expect(seen[0]).toEqual({ buyerId: gated ? 'buyer-7' : undefined });
    },
  );

  it('a paid purchase keeps its unit: nothing goes back to the gate', async () => {
    const { calls, activities } = mockActivities();
    const { result } = await run(activities, purchase({ gated: true }));
    expect(result?.status).toBe('PAID');
    expect(calls).not.toContain('returnGateUnit');
  });
});
