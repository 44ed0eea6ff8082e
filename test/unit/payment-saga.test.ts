import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import type { PaymentSagaInput } from '../../contracts/payment';
import { SagaStatus } from '../../contracts/search-attributes';
import { ActionRefused, retryStep, sagaState, skipStep, ValidationError } from '../../client';
import { sagaStateQuery, skipUpdate } from '../../workflows';
import { aRelease, compensationsIn, mockActivities } from '../support/mock-activities';
import { useTimeSkippingEnv } from '../support/fixtures';
import { anOrderForUnitTests, fast, paymentSagaRunner, rootCause } from '../support/payment-saga-runner';

const ts = useTimeSkippingEnv();

const { runSaga, until } = paymentSagaRunner(ts);
const order = anOrderForUnitTests;
const refusal = (type: string) => async () => {
  throw ApplicationFailure.nonRetryable(`${type} for this test`, type);
};
/** Update refusals arrive as WorkflowUpdateFailedError whose cause carries the validator's message. */
const refusedWith = (pattern: RegExp) => ({ cause: { message: expect.stringMatching(pattern) } });

describe('paymentSaga with mocked activities', () => {
  it('runs every step in order and completes', async () => {
    const { calls, activities } = mockActivities();
    const { result, state } = await runSaga(activities);
    expect(calls).toEqual([
      'validateOrder',
      'reserveStock',
      'lockCoupon',
      'chargeCard',
      'awardPoints',
      'createShipment',
      'markOrderPaid',
      'sellStock',
      'redeemCoupon',
    ]);
    expect(result).toMatchObject({ status: 'PAID', amountCents: 4500, discountCents: 500, points: 45 });
    expect(state.status).toBe('COMPLETED');
    expect(state.steps.every((s) => s.status === 'done')).toBe(true);
  });

  it.each([
    ['validate-order', 'validateOrder', 'OrderMismatch', [], 'nothing'],
    ['reserve-stock', 'reserveStock', 'OutOfStock', ['cancelOrder'], 'validate-order'],
    ['lock-coupon', 'lockCoupon', 'CouponInvalid', ['releaseStock', 'cancelOrder'], 'reserve-stock, validate-order'],
    [
      'charge-card',
      'chargeCard',
      'CardDeclined',
      ['releaseCoupon', 'releaseStock', 'cancelOrder'],
      'lock-coupon, reserve-stock, validate-order',
    ],
  ] as const)(
    'a refusal at %s compensates exactly the steps before it, in reverse order',
    async (step, activity, type, expected, compensatedSteps) => {
      const { calls, activities } = mockActivities({ [activity]: refusal(type) });
      const { error, state } = await runSaga(activities);
      expect(compensationsIn(calls)).toEqual(expected);
      expect(calls).not.toContain('awardPoints');
      expect(state.status).toBe('COMPENSATED');
      expect(state.failure).toMatchObject({ step });
      // The final failure keeps the original cause and says which compensations ran.
      const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
      expect(failure.type).toBe('SagaFailed');
      expect(rootCause(failure).type).toBe(type);
      expect(failure.message).toContain(`failed at ${step}: ${type}`);
      expect(failure.message).toContain(`compensated: ${compensatedSteps}`);
    },
  );

  it('also undoes a step whose outcome is unknown (it kept timing out)', async () => {
    const { calls, activities } = mockActivities({
      reserveStock: async () => {
        throw new Error('connection reset');
      },
    });
    const { state } = await runSaga(activities);
    // reserve-stock's own compensation runs first: the service may have acted before the error.
    expect(compensationsIn(calls)).toEqual(['releaseStock', 'cancelOrder']);
    expect(state.steps.find((s) => s.name === 'reserve-stock')?.status).toBe('compensated');
  });

  it('waits in NEEDS_ATTENTION when a compensation keeps failing, and resumes after retry', async () => {
    let broken = true;
    const { calls, activities } = mockActivities({
      chargeCard: refusal('CardDeclined'),
      releaseStock: async () => {
        if (broken) throw ApplicationFailure.nonRetryable('inventory is down for this test', 'Unavailable');
        return aRelease();
      },
    });
    const { state, error } = await runSaga(activities, order(), fast, async (handle) => {
      // Through the typed client, as operators' tools call it: refused while nothing waits.
      await expect(retryStep(ts.env.client, handle.workflowId, { by: 'ops' })).rejects.toThrow(ActionRefused);
      await expect(retryStep(ts.env.client, handle.workflowId, { by: 'ops' })).rejects.toThrow(/not NEEDS_ATTENTION/);
      const stuck = await until(handle, (s) => s.status === 'NEEDS_ATTENTION');
      expect(stuck.attention).toMatchObject([{ step: 'reserve-stock', phase: 'compensation' }]);
      expect(stuck.steps.find((s) => s.name === 'reserve-stock')).toMatchObject({
        status: 'compensation-failed',
        compensationAttempts: 3,
      });
      expect((await handle.describe()).typedSearchAttributes.get(SagaStatus)).toBe('NEEDS_ATTENTION');
      // The unwind stopped there: the order is not cancelled behind the stuck step's back.
      expect(calls).not.toContain('cancelOrder');
      expect((await sagaState(ts.env.client, handle.workflowId)).status).toBe('NEEDS_ATTENTION');
      broken = false;
      await retryStep(ts.env.client, handle.workflowId, { by: 'ops', step: 'reserve-stock' });
    });
    expect(state.status).toBe('COMPENSATED');
    expect(compensationsIn(calls).slice(-2)).toEqual(['releaseStock', 'cancelOrder']);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('SagaFailed');
  });

  it('lets an operator skip a stuck compensation with a reason', async () => {
    const { calls, activities } = mockActivities({
      chargeCard: refusal('CardDeclined'),
      releaseCoupon: refusal('Unavailable'),
    });
    const { state } = await runSaga(activities, order(), fast, async (handle) => {
      await until(handle, (s) => s.status === 'NEEDS_ATTENTION');
      await expect(handle.executeUpdate(skipUpdate, { args: [{ by: 'ops', reason: '' }] })).rejects.toMatchObject(
        refusedWith(/needs a reason/),
      );
      // The typed client refuses a blank reason at the edge, naming the field, before any update.
      const blank = skipStep(ts.env.client, handle.workflowId, { by: 'ops', reason: '  ' });
      await expect(blank).rejects.toBeInstanceOf(ValidationError);
      await expect(blank).rejects.toMatchObject({ fields: [{ path: 'reason', message: 'must say why' }] });
      await skipStep(ts.env.client, handle.workflowId, { by: 'ops', reason: 'coupon expired anyway' });
    });
    expect(state.steps.find((s) => s.name === 'lock-coupon')).toMatchObject({
      status: 'skipped',
      skipReason: 'coupon expired anyway',
    });
    expect(compensationsIn(calls).slice(-2)).toEqual(['releaseStock', 'cancelOrder']);
  });

  it('compensates what was done when cancelled mid-saga, then reports cancelled', async () => {
    const reasons: string[] = [];
    const { calls, activities } = mockActivities({
      cancelOrder: async (i) => {
        reasons.push(i.reason);
        return { orderId: i.orderId, cancelled: false as const };
      },
      // A long call that heartbeats and stops when Temporal delivers the cancellation.
      chargeCard: async () => {
        const ctx = Context.current();
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(100);
        }
      },
    });
    const { error, state } = await runSaga(activities, order(), fast, async (handle) => {
      await until(handle, (s) => s.steps.find((x) => x.name === 'charge-card')?.status === 'running');
      await handle.cancel();
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect(state.status).toBe('CANCELLED');
    // The charge may have gone through before the cancel: it is refunded too, beside the coupon's release.
    const undone = compensationsIn(calls);
    expect(new Set(undone.slice(0, 2))).toEqual(new Set(['refundCharge', 'releaseCoupon']));
    expect(undone.slice(2)).toEqual(['releaseStock', 'cancelOrder']);
    expect(calls).not.toContain('awardPoints');
    expect(reasons).toEqual(['cancelled']);
  });

  it('after the pivot retries a failing step forward and never unwinds', async () => {
    let failures = 0;
    const { calls, activities } = mockActivities({
      awardPoints: async (i) => {
        if (++failures <= 2) throw ApplicationFailure.nonRetryable('wallet says no, for now', 'Unavailable');
        return { entryId: i.entryId, points: i.points, awarded: true };
      },
    });
    const { result, state } = await runSaga(activities);
    expect(result).toMatchObject({ status: 'PAID' });
    expect(calls.filter((c) => c === 'awardPoints')).toHaveLength(3);
    expect(compensationsIn(calls)).toEqual([]);
    expect(state.steps.find((s) => s.name === 'award-points')).toMatchObject({ status: 'done', attempts: 3 });
  });

  it('a paid order settles its holds forward only: a failing sale is retried, never compensated', async () => {
    let failures = 0;
    const { calls, activities } = mockActivities({
      sellStock: async (i) => {
        if (++failures <= 2) throw ApplicationFailure.nonRetryable('inventory says no, for now', 'Unavailable');
        return { reservationId: i.reservationId, status: 'SOLD', items: [], sold: true };
      },
    });
    const { result, state } = await runSaga(activities, order(), fast);
    expect(result).toMatchObject({ status: 'PAID' });
    expect(calls.filter((c) => c === 'sellStock')).toHaveLength(3);
    expect(calls.at(-1)).toBe('redeemCoupon');
    expect(compensationsIn(calls)).toEqual([]);
    expect(state.steps.find((s) => s.name === 'sell-stock')).toMatchObject({ status: 'done', attempts: 3 });
    expect(state.steps.find((s) => s.name === 'redeem-coupon')).toMatchObject({ status: 'done' });
  });

  it('a cancelled or refused order never sells its stock nor redeems its coupon', async () => {
    const { calls, activities } = mockActivities({ chargeCard: refusal('CardDeclined') });
    await runSaga(activities);
    expect(calls).not.toContain('sellStock');
    expect(calls).not.toContain('redeemCoupon');
    expect(compensationsIn(calls)).toEqual(['releaseCoupon', 'releaseStock', 'cancelOrder']);
  });

  it('unwinds in parallel when asked: every compensation starts before any finishes', async () => {
    const events: string[] = [];
    const slowUndo =
      <T>(name: string, answer: T) =>
      async () => {
        events.push(`start:${name}`);
        await new Promise((r) => setTimeout(r, 300));
        events.push(`end:${name}`);
        return answer;
      };
    const { calls, activities } = mockActivities({
      chargeCard: refusal('CardDeclined'),
      cancelOrder: slowUndo('cancelOrder', { orderId: 'o-1', cancelled: false as const }),
      releaseStock: slowUndo('releaseStock', aRelease()),
      releaseCoupon: slowUndo('releaseCoupon', { code: 'SAVE5', released: true }),
    });
    const { state } = await runSaga(activities, order(), { ...fast, parallelUnwind: true });
    expect(new Set(compensationsIn(calls))).toEqual(new Set(['cancelOrder', 'releaseStock', 'releaseCoupon']));
    const firstEnd = events.findIndex((e) => e.startsWith('end:'));
    expect(events.slice(0, firstEnd).filter((e) => e.startsWith('start:'))).toHaveLength(3);
    expect(state.status).toBe('COMPENSATED');
  });

  it('a cancel after the pivot does not unwind: the saga finishes forward and nothing is refunded', async () => {
    const { calls, activities } = mockActivities({
      createShipment: async (i) => {
        const ctx = Context.current();
        await ctx.sleep(3000); // slow, so the cancel arrives while it runs
        return { shipmentId: i.shipmentId, orderId: i.orderId, items: i.items, status: 'CREATED' as const };
      },
    });
    const { result, state } = await runSaga(activities, order(), fast, async (handle) => {
      await expect
        .poll(
          async () => (await handle.query(sagaStateQuery)).steps.find((x) => x.name === 'create-shipment')?.status,
          {
            timeout: 20_000,
            interval: 100,
          },
        )
        .toBe('running');
      await handle.cancel();
    });
    expect(result).toMatchObject({ status: 'PAID' });
    expect(compensationsIn(calls)).toEqual([]);
    expect(calls).toContain('markOrderPaid');
    expect(state.status).toBe('COMPLETED');
  });

  it('two compensations stuck at once: each needs its own decision, and the status follows', async () => {
    const { activities } = mockActivities({
      chargeCard: refusal('CardDeclined'),
      releaseStock: refusal('Unavailable'),
      releaseCoupon: refusal('Unavailable'),
    });
    const { state } = await runSaga(activities, order(), { ...fast, parallelUnwind: true }, async (handle) => {
      await until(handle, (s) => s.attention.length === 2);
      await expect(handle.executeUpdate(skipUpdate, { args: [{ by: 'ops', reason: 'x' }] })).rejects.toMatchObject(
        refusedWith(/several steps wait/),
      );
      await handle.executeUpdate(skipUpdate, { args: [{ by: 'ops', step: 'reserve-stock', reason: 'by hand' }] });
      const one = await until(handle, (s) => s.attention.length === 1);
      expect(one.status).toBe('NEEDS_ATTENTION');
      await handle.executeUpdate(skipUpdate, { args: [{ by: 'ops', step: 'lock-coupon', reason: 'by hand' }] });
    });
    expect(state.status).toBe('COMPENSATED');
    expect(state.attention).toEqual([]);
    expect(
      state.steps
        .filter((s) => s.status === 'skipped')
        .map((s) => s.name)
        .sort(),
    ).toEqual(['lock-coupon', 'reserve-stock']);
  });

  it('fails an invalid input inside the workflow without any side effect', async () => {
    const { calls, activities } = mockActivities();
    const bad = { ...order(), items: [] } as PaymentSagaInput;
    const { error } = await runSaga(activities, bad);
    expect(((error as WorkflowFailedError).cause as ApplicationFailure).type).toBe('InvalidInput');
    expect(calls).toEqual([]);
  });
});
