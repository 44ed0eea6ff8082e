import type { WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import type { GatewayEvent } from '../../contracts/gateway';
import { paymentEventSignal, sagaStateQuery, type PaymentChannelState, type SagaState } from '../../workflows';
import { useTimeSkippingEnv } from '../support/fixtures';
import { chargeSucceeded } from '../support/gateway-events';
import { aCharge, compensationsIn, mockActivities } from '../support/mock-activities';
import { anOrderForUnitTests, fast, paymentSagaRunner, rootCause } from '../support/payment-saga-runner';

const ts = useTimeSkippingEnv();
const { runSaga, until } = paymentSagaRunner(ts);

/** A gateway that answers every create PENDING, as the real one does. */
const pending: Activities['chargeCard'] = async (i) =>
  aCharge({ ...i, reference: i.reference ?? `payment:${i.orderId}`, status: 'PENDING', sequence: 1, voidable: true });
const event = (orderId: string, over: Partial<GatewayEvent> = {}) =>
  chargeSucceeded(orderId, { amountCents: 4500, ...over });
const charging = (s: SagaState) => s.steps.find((x) => x.name === 'charge-card')?.status === 'running';
/** Each timer the run started, by its summary (what the Temporal UI names it), and whether it fired. */
async function timers(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const fired = new Set(
    events.flatMap((e) => (e.timerFiredEventAttributes ? [e.timerFiredEventAttributes.timerId] : [])),
  );
  return events.flatMap((e) => {
    const started = e.timerStartedEventAttributes;
    if (!started) return [];
    const summary = e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : '';
    return [{ summary, fired: fired.has(started.timerId) }];
  });
}
const moves = (p: PaymentChannelState) => p.transitions.map((t) => [t.from, t.to, t.source]);

describe('paymentSaga waits for the gateway (time-skipping server, mocked activities)', () => {
  it('waits for the callback and takes it, without asking the gateway', async () => {
    const { calls, activities } = mockActivities({ chargeCard: pending });
    const input = anOrderForUnitTests();
    const { result, payment } = await runSaga(activities, input, fast, async (handle) => {
      await until(handle, charging);
      await ts.env.sleep('20 seconds'); // within the 30 s callback timeout
      await handle.signal(paymentEventSignal, event(input.orderId));
    });
    expect(result).toMatchObject({ status: 'PAID', amountCents: 4500 });
    expect(calls).not.toContain('getCharge');
    expect(payment.polls).toBe(0);
    expect(moves(payment)).toEqual([
      ['UNKNOWN', 'PENDING', 'create'],
      ['PENDING', 'CAPTURED', 'callback'],
    ]);
  });

  it('recovers a lost callback by polling the status with doubling backoff', async () => {
    const polledAt: number[] = [];
    let createdAt = 0;
    const { activities } = mockActivities({
      chargeCard: async (i) => {
        createdAt = Context.current().info.currentAttemptScheduledTimestampMs;
        return pending(i);
      },
      getCharge: async (i) => {
        polledAt.push(Context.current().info.currentAttemptScheduledTimestampMs);
        const captured = polledAt.length >= 4;
        return aCharge({ chargeId: i.chargeId, status: captured ? 'CAPTURED' : 'PENDING', sequence: captured ? 2 : 1 });
      },
    });
    const options = {
      ...fast,
      payment: { callbackTimeout: '30 seconds', poll: { initial: '2 seconds', max: '1 minute' } },
    };
    const { result, payment } = await runSaga(activities, anOrderForUnitTests(), options);
    expect(result).toMatchObject({ status: 'PAID' });
    expect(payment.polls).toBe(4);
    expect(moves(payment).at(-1)).toEqual(['PENDING', 'CAPTURED', 'poll']);
    // First poll after the callback timeout, then 2 s, 4 s, 8 s apart.
    expect(polledAt[0]! - createdAt).toBeGreaterThanOrEqual(30_000);
    const gaps = polledAt.slice(1).map((t, i) => t - polledAt[i]!);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual(2000 * 2 ** i));
  });

  it('past the unpaid deadline voids the charge, releases coupon and stock, and cancels the order', async () => {
    const { calls, activities } = mockActivities({
      chargeCard: pending,
      getCharge: async (i) => aCharge({ chargeId: i.chargeId, status: 'PENDING', sequence: 1 }),
      refundCharge: async (i) => ({
        ...aCharge({ chargeId: i.chargeId, status: 'VOIDED', sequence: 2, refundedCents: 0 }),
        existed: true,
      }),
    });
    // The defaults: 30 s for the callback, polling from 1 s to 1 min, 15 minutes to pay.
    const { error, state, payment, handle } = await runSaga(activities);
    const failure = (error as WorkflowFailedError).cause!;
    expect(rootCause(failure).type).toBe('UnpaidDeadline');
    // Every step before the pivot ran under the deadline's timer, each named; the charge's fired.
    const deadlines = (await timers(handle)).filter((t) => t.summary.startsWith('Unpaid deadline'));
    expect(deadlines).toEqual(
      ['validate-order', 'reserve-stock', 'lock-coupon', 'charge-card'].map((step) => ({
        summary: `Unpaid deadline: cancel order if not paid (during ${step})`,
        fired: step === 'charge-card',
      })),
    );
    expect(failure.message).toContain('compensated: charge-card, lock-coupon, reserve-stock, validate-order');
    // The charge's undo runs beside the others: it and the coupon's release start together.
    const undone = compensationsIn(calls);
    expect(new Set(undone.slice(0, 2))).toEqual(new Set(['refundCharge', 'releaseCoupon']));
    expect(undone.slice(2)).toEqual(['releaseStock', 'cancelOrder']);
    expect(state.status).toBe('COMPENSATED');
    expect(calls).not.toContain('awardPoints');
    expect(moves(payment).at(-1)).toEqual(['PENDING', 'VOIDED', 'undo']);
    // About 15 minutes of polling at the 1-minute cap.
    expect(payment.polls).toBeGreaterThan(10);
    expect(payment.polls).toBeLessThan(25);
  });

  it('a participant down past the unpaid deadline: given up at the deadline, before any money moves', async () => {
    let reserveAttempts = 0;
    const { calls, activities } = mockActivities({
      // Down for good: only the 5 s deadline ends the retries (200 ms doubling, capped at 10 s).
      reserveStock: async () => {
        reserveAttempts += 1;
        throw new Error('connect ECONNREFUSED 127.0.0.1:4101');
      },
    });
    const options = { ...fast, payment: { unpaidDeadline: '5 seconds' } };
    const { error, state, payment } = await runSaga(activities, anOrderForUnitTests(), options);
    expect(reserveAttempts).toBe(5); // 0, 0.2, 0.6, 1.4, 3 s; the sixth would start past 5 s
    expect(calls).not.toContain('chargeCard');
    expect(calls).not.toContain('refundCharge');
    const failure = rootCause((error as WorkflowFailedError).cause);
    expect(failure.type).toBe('UnpaidDeadline');
    expect(failure.message).toMatch(/reserve-stock was still retrying/);
    expect(state).toMatchObject({ status: 'COMPENSATED', failure: { step: 'reserve-stock' } });
    // The reserve may have landed before its answer was lost: it is released with the rest.
    expect(compensationsIn(calls)).toEqual(['releaseStock', 'cancelOrder']);
    expect(payment.transitions).toEqual([]);
  });

  it('before the pivot, a transient fault is retried until it passes, never taken for a refusal', async () => {
    let lockAttempts = 0;
    let firstAt = 0;
    const healthy = mockActivities().activities;
    const { calls, activities } = mockActivities({
      // Ten minutes of connection refused (the coupon service down), inside the 15-minute deadline.
      lockCoupon: async (i) => {
        lockAttempts += 1;
        const at = Context.current().info.currentAttemptScheduledTimestampMs;
        firstAt ||= at;
        if (at - firstAt < 600_000) {
          throw new Error('connect ECONNREFUSED 127.0.0.1:4104');
        }
        return healthy.lockCoupon(i);
      },
    });
    const { result, state } = await runSaga(activities, anOrderForUnitTests(), fast);
    expect(result).toMatchObject({ status: 'PAID', discountCents: 500 });
    expect(lockAttempts).toBeGreaterThan(50); // every 10 s at the cap, for ten minutes
    expect(compensationsIn(calls)).toEqual([]);
    expect(state.steps.find((s) => s.name === 'lock-coupon')).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('at the deadline releases the order, stock and coupon at once; only the money waits, refunded once captured', async () => {
    const keys: string[] = [];
    let capturedLate = false;
    const { calls, activities } = mockActivities({
      chargeCard: pending,
      getCharge: async (i) => aCharge({ chargeId: i.chargeId, status: 'PENDING', sequence: 1 }),
      refundCharge: async (i) => {
        keys.push(String(i.idempotencyKey));
        // The payment method cannot be stopped while pending; once captured, undoing it refunds it.
        const charge = capturedLate
          ? aCharge({ chargeId: i.chargeId, status: 'CAPTURED', sequence: 3, refundedCents: 0 })
          : aCharge({ chargeId: i.chargeId, status: 'PENDING', sequence: 1, refundedCents: 0, voidable: false });
        return { ...charge, existed: true };
      },
    });
    const input = anOrderForUnitTests();
    const options = { ...fast, payment: { unpaidDeadline: '5 minutes' } };
    const { error, state } = await runSaga(activities, input, options, async (handle) => {
      await until(handle, (s) => s.status === 'COMPENSATING');
      await ts.env.sleep('1 hour');
      // An hour past the deadline the gateway still holds the charge pending: the order is
      // cancelled and its stock and coupon released already; only the charge's undo waits.
      expect(new Set(compensationsIn(calls))).toEqual(
        new Set(['refundCharge', 'releaseCoupon', 'releaseStock', 'cancelOrder']),
      );
      const held = await handle.query(sagaStateQuery);
      expect(held.status).toBe('COMPENSATING');
      expect(held.steps.filter((s) => s.status === 'compensated').map((s) => s.name)).toEqual([
        'validate-order',
        'reserve-stock',
        'lock-coupon',
      ]);
      expect(held.steps.find((s) => s.name === 'charge-card')?.status).toBe('compensating');
      capturedLate = true;
      await handle.signal(paymentEventSignal, event(input.orderId));
    });
    expect(rootCause((error as WorkflowFailedError).cause).type).toBe('UnpaidDeadline');
    expect(keys).toEqual([`payment:${input.orderId}:charge-card:undo`, `payment:${input.orderId}:charge-card:undo:2`]);
    // The second undo, once captured, refunds it: the last call of the run.
    expect(compensationsIn(calls)).toHaveLength(5);
    expect(compensationsIn(calls).at(-1)).toBe('refundCharge');
    expect(state.status).toBe('COMPENSATED');
    expect(state.steps.find((s) => s.name === 'charge-card')?.status).toBe('compensated');
  });

  it('applies five copies of a callback once and ignores an older event that arrives late', async () => {
    const { activities } = mockActivities({ chargeCard: pending });
    const input = anOrderForUnitTests();
    const { result, payment } = await runSaga(activities, input, fast, async (handle) => {
      await until(handle, charging);
      const succeeded = event(input.orderId);
      for (let i = 0; i < 5; i++) await handle.signal(paymentEventSignal, succeeded);
      const older = event(input.orderId, {
        eventId: 'evt_older',
        type: 'charge.processing',
        sequence: 1,
        status: 'PENDING',
      });
      await handle.signal(paymentEventSignal, older);
    });
    expect(result).toMatchObject({ status: 'PAID' });
    expect(moves(payment).filter(([, to]) => to === 'CAPTURED')).toHaveLength(1);
    expect(payment.ignored).toEqual([
      ...Array.from({ length: 4 }, () => ({ eventId: `evt_${input.orderId}_2`, reason: 'duplicate' })),
      { eventId: 'evt_older', reason: 'stale' },
    ]);
  });

  it('takes a declined callback as a refusal: no void at the gateway, the rest is undone', async () => {
    const { calls, activities } = mockActivities({ chargeCard: pending });
    const input = anOrderForUnitTests();
    const { error } = await runSaga(activities, input, fast, async (handle) => {
      await until(handle, charging);
      const declined = { type: 'charge.failed' as const, status: 'FAILED' as const, failureCode: 'CardDeclined' };
      await handle.signal(paymentEventSignal, event(input.orderId, declined));
    });
    expect(rootCause((error as WorkflowFailedError).cause).type).toBe('CardDeclined');
    expect(compensationsIn(calls)).toEqual(['releaseCoupon', 'releaseStock', 'cancelOrder']);
  });
});
