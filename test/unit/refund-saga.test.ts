import type { WorkflowHandle } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import type { RefundInput } from '../../contracts/refund';
import { SagaStatus } from '../../contracts/search-attributes';
import {
  approvalStateQuery,
  approveUpdate,
  paymentEventSignal,
  refundSaga,
  rejectUpdate,
  sagaStateQuery,
  type RefundOptions,
} from '../../workflows';
import { useTimeSkippingEnv } from '../support/fixtures';
import { anOrder, mockActivities } from '../support/mock-activities';
import { rootCause, sagaRunner } from '../support/payment-saga-runner';

const ts = useTimeSkippingEnv();
let seq = 0;
const refund = (amountCents: number, extra: Partial<RefundInput> = {}): RefundInput => ({
  refundId: `r-${++seq}`,
  orderId: `o-r-${seq}`,
  amountCents,
  items: [{ sku: 'A', quantity: 1 }],
  reason: 'damaged in transit',
  requestedBy: 'agent-1',
  ...extra,
});
const fast: RefundOptions = { attemptsBeforeAttention: 3, backoff: { initial: '1 second', max: '5 seconds' } };

const runRefund = sagaRunner(ts, refundSaga, {
  workflowId: (input) => `refund:${input.refundId}`,
  taskQueuePrefix: 'unit-refund',
});
const run = (
  activities: Activities,
  input: RefundInput,
  options: RefundOptions = fast,
  during?: (handle: WorkflowHandle<typeof refundSaga>) => Promise<void>,
) => runRefund(activities, input, options, during, async () => ({}));

/** Waits (in skipped time) until the refund's approval child exists and is waiting. */
async function approvalOf(refundId: string) {
  const handle = ts.env.client.workflow.getHandle(`approval:refund:${refundId}`);
  for (let i = 0; i < 100; i++) {
    const state = await handle.query(approvalStateQuery).catch(() => undefined);
    if (state?.status === 'PENDING') return handle;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no approval appeared');
}
const moneyCalls = (calls: string[]) =>
  calls.filter((c) => ['createRefund', 'revokePoints', 'returnItems', 'recordRefund'].includes(c));

describe('refundSaga with mocked activities', () => {
  it('below the threshold refunds at once: money, points, stock, order, in that order', async () => {
    const { calls, activities } = mockActivities();
    const { result } = await run(activities, refund(2000));
    expect(result).toMatchObject({ status: 'REFUNDED', amountCents: 2000, pointsRevoked: 20 });
    expect(moneyCalls(calls)).toEqual(['createRefund', 'revokePoints', 'returnItems', 'recordRefund']);
    expect(calls).not.toContain('notify'); // no approval was asked for
  });

  it('refuses a return the order cannot take back before any money moves', async () => {
    for (const items of [
      [{ sku: 'NOT-ON-ORDER', quantity: 1 }],
      [{ sku: 'A', quantity: 6 }], // 5 were sold
    ]) {
      const { calls, activities } = mockActivities();
      const { error } = await run(activities, refund(1000, { items }));
      expect(rootCause(error)).toMatchObject({ type: 'ReturnNotPossible' });
      expect(moneyCalls(calls)).toEqual([]);
    }
    // An order that holds no reservation at all (no items to take back) is refused the same way.
    const { calls, activities } = mockActivities({
      returnableItems: async () => {
        throw ApplicationFailure.nonRetryable('unknown reservation', 'UnknownReservation');
      },
    });
    const { error } = await run(activities, refund(1000));
    expect(rootCause(error)).toMatchObject({ type: 'ReturnNotPossible' });
    expect(moneyCalls(calls)).toEqual([]);
  });

  it('waits for the refund to settle: takes its callback without polling', async () => {
    const { calls, activities } = mockActivities({
      createRefund: async (i) => ({
        refundId: i.refundId,
        chargeId: i.chargeId,
        amountCents: i.amountCents,
        status: 'PENDING',
      }),
    });
    const input = refund(1000);
    const { result } = await run(activities, input, fast, async (handle) => {
      await ts.env.sleep('10 seconds');
      await handle.signal(paymentEventSignal, {
        eventId: 'evt_refund_1',
        type: 'refund.succeeded',
        chargeId: `charge:${input.orderId}`,
        orderId: input.orderId,
        reference: `refund:${input.refundId}`,
        refundId: input.refundId,
        sequence: 3,
        status: 'CAPTURED',
        amountCents: 1000,
        refundedCents: 1000,
        occurredAt: new Date().toISOString(),
      });
    });
    expect(result).toMatchObject({ status: 'REFUNDED' });
    expect(calls).not.toContain('getRefund');
  });

  it('above the threshold moves no money until approved, then refunds', async () => {
    const { calls, activities } = mockActivities();
    const input = refund(20_000);
    const { result } = await run(activities, input, fast, async () => {
      const approval = await approvalOf(input.refundId);
      expect(moneyCalls(calls)).toEqual([]);
      await approval.executeUpdate(approveUpdate, { args: [{ by: 'tl-support' }] });
    });
    expect(result).toMatchObject({ status: 'REFUNDED', approval: { status: 'APPROVED', decidedBy: 'tl-support' } });
    expect(moneyCalls(calls)).toEqual(['createRefund', 'revokePoints', 'returnItems', 'recordRefund']);
  });

  it('a rejected approval ends the refund with the reason and nothing changed', async () => {
    const { calls, activities } = mockActivities();
    const input = refund(20_000);
    const reject = async () => {
      const approval = await approvalOf(input.refundId);
      await approval.executeUpdate(rejectUpdate, { args: [{ by: 'tl-support', reason: 'used, not damaged' }] });
    };
    const { result, error, saga } = await runRefund(activities, input, fast, reject, async (h) => ({
      saga: await h.query(sagaStateQuery),
    }));
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ status: 'REJECTED', reason: expect.stringContaining('used, not damaged') });
    expect(moneyCalls(calls)).toEqual([]);
    // Shown as what it is: a rejected refund, not a compensated failure nor a plain success.
    const handle = ts.env.client.workflow.getHandle(`refund:${input.refundId}`);
    const { typedSearchAttributes, status } = await handle.describe();
    expect(typedSearchAttributes.get(SagaStatus)).toBe('REJECTED');
    expect(status.name).toBe('COMPLETED'); // the engine's word: the run ended as designed
    expect(saga.status).toBe('REJECTED');
  });

  it('an approval nobody decides expires: the refund moves no money and its SagaStatus says EXPIRED', async () => {
    const { calls, activities } = mockActivities();
    const { result, sagaStatus, saga } = await runRefund(activities, refund(20_000), fast, undefined, async (h) => ({
      sagaStatus: (await h.describe()).typedSearchAttributes.get(SagaStatus),
      saga: await h.query(sagaStateQuery),
    }));
    expect(result).toMatchObject({ status: 'REJECTED', approval: { status: 'EXPIRED', decidedBy: 'system' } });
    expect(moneyCalls(calls)).toEqual([]);
    expect([saga.status, sagaStatus]).toEqual(['EXPIRED', 'EXPIRED']);
    // What never ran is not listed as pending in the finished timeline.
    expect(saga.steps.map((s) => [s.name, s.status])).toEqual([
      ['check-order', 'done'],
      ['approval', 'done'],
    ]);
  });

  it('an order service down for minutes delays the refund, never refuses it; down past the bound, nothing moves', async () => {
    const healthy = mockActivities().activities;
    let firstAt = 0;
    const downFor = (ms: number) => async (i: { orderId: string }) => {
      const at = Context.current().info.currentAttemptScheduledTimestampMs;
      firstAt ||= at;
      if (at - firstAt < ms) throw new Error('connect ECONNREFUSED 127.0.0.1:4100');
      return healthy.getOrder(i);
    };
    const back = mockActivities({ getOrder: downFor(5 * 60_000) });
    const { result } = await run(back.activities, refund(2000));
    expect(result).toMatchObject({ status: 'REFUNDED', amountCents: 2000 });
    expect(moneyCalls(back.calls)).toEqual(['createRefund', 'revokePoints', 'returnItems', 'recordRefund']);

    firstAt = 0;
    const gone = mockActivities({ getOrder: downFor(Number.POSITIVE_INFINITY) });
    const { error } = await run(gone.activities, refund(2000), { ...fast, checkBoundMs: 120_000 });
    expect(rootCause(error).type).toBe('ParticipantUnavailable');
    expect(moneyCalls(gone.calls)).toEqual([]);
  });

  it('refuses an order that is not paid, before any money moves', async () => {
    const { calls, activities } = mockActivities({
      getOrder: async (i) =>
        anOrder({
          orderId: i.orderId,
          status: 'CANCELLED',
          chargeId: null,
          cardCents: null,
          refundedCents: 0,
        }),
    });
    const { error } = await run(activities, refund(1000));
    expect(rootCause(error).type).toBe('OrderNotRefundable');
    expect(moneyCalls(calls)).toEqual([]);
  });

  it('refuses more than is left to refund, before asking anyone', async () => {
    const { calls, activities } = mockActivities({
      getOrder: async (i) =>
        anOrder({
          orderId: i.orderId,
          status: 'PARTIALLY_REFUNDED',
          chargeId: 'c',
          customerId: 'c-1',
          currency: 'EUR',
          cardCents: 5000,
          refundedCents: 4000,
        }),
    });
    const { error } = await run(activities, refund(20_000));
    expect(rootCause(error).type).toBe('RefundExceedsCapture');
    expect(calls).not.toContain('notify');
    expect(moneyCalls(calls)).toEqual([]);
  });
});
