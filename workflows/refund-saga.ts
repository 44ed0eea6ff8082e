import {
  ActivityFailure,
  ApplicationFailure,
  executeChild,
  patched,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { pointsFor } from '../contracts/payment';
import { refundInput, type RefundInput, type RefundPolicy, type RefundResult } from '../contracts/refund';
import { AmountCents, CustomerId, customerIdNotSearchablePatch, OrderId } from '../contracts/search-attributes';
import { flows } from '../contracts/flows';
import { approvalFlow } from './approval-flow';
import { within } from './deadline';
import { PaymentChannel, type PaymentWaitOptions } from './payment-channel';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { parseWorkflowInput } from './input';
import { refundPolicyOf } from './refund-policy';
import { Saga, SKIPPED, type SagaOptions } from './saga';
import { appSagaOptions } from './saga-options';

/** How a refund runs; whether it needs an approval is the worker's policy (refundPolicyOf), never an option. */
export type RefundOptions = Pick<SagaOptions, 'attemptsBeforeAttention' | 'backoff'> & {
  payment?: PaymentWaitOptions;
  /**
   * A refund has no unpaid deadline: how long (ms) reading the order may retry transient faults before
   * the refund gives up with `ParticipantUnavailable`, nothing moved (default 10 minutes).
   */
  checkBoundMs?: number;
};

/** The patch that checks, before any money moves, that the items to return can be returned. */
export const refundChecksReturnsPatch = 'refund-checks-returns';

/** The patch that retries the order's read through transient faults for `checkBoundMs`, not 8 attempts. */
export const refundCheckBoundPatch = 'refund-check-bound';

export const refundSagaPlan = ['check-order', 'approval', 'refund-money', 'revoke-points', 'restock', 'record-refund'];
const refundable = ['PAID', 'PARTIALLY_REFUNDED'];

/**
 * refundSaga (workflow id `refund:<refundId>`): checks that the order is paid and the amount still
 * refundable; above the threshold, waits for `approvalFlow` as a child (`approval:refund:<refundId>`)
 * and moves no money unless it approves; then refunds through the gateway and waits for it to
 * settle [pivot]; revokes the points of the refunded part (debt for points already spent), returns
 * the items to stock, and marks the order PARTIALLY_REFUNDED or REFUNDED. A rejection ends the
 * saga with status REJECTED and nothing changed (the run completes; `SagaStatus` is the approval's
 * outcome: REJECTED, EXPIRED or WITHDRAWN); a refusal (`OrderNotRefundable`,
 * `RefundExceedsCapture`, `ReturnNotPossible` for items the order cannot take back) fails it before
 * any money moves. The same refund id never refunds twice.
 */
export async function refundSaga(raw: RefundInput, options: RefundOptions = {}): Promise<RefundResult> {
  const input = parseWorkflowInput(refundInput, raw, 'refund');
  const { refundId, orderId, amountCents, items } = input;
  upsertSearchAttributes([
    { key: OrderId, value: orderId },
    { key: AmountCents, value: amountCents },
  ]);
  const { approvalThresholdCents, ...policy } = await refundPolicyOf(options);
  const { payment, checkBoundMs, ...sagaOptions } = options;
  const saga = new Saga({ ...appSagaOptions(flows.refundSaga.type), plan: refundSagaPlan, ...sagaOptions });
  const channel = new PaymentChannel(payment);
  const act = narratedActivities(presets.serviceCall);
  // Reading the order changes nothing, and after the pivot the saga only goes forward: both are
  // retried through transient faults without an attempt limit (the read within `checkBoundMs`).
  const patient = patched(refundCheckBoundPatch);
  const settle = patient ? narratedActivities(presets.untilDeadline) : act;
  const boundMs = checkBoundMs ?? 600_000;
  const readOrder = () =>
    patient
      ? within(
          boundMs,
          () => settle.getOrder({ orderId }),
          () =>
            ApplicationFailure.nonRetryable(
              `order ${orderId} could not be read within ${boundMs / 1000} s; nothing was refunded`,
              'ParticipantUnavailable',
            ),
          `Check bound: give up the refund if order ${orderId} cannot be read`,
        )
      : act.getOrder({ orderId });
  const key = (step: string) => `${workflowInfo().workflowId}:${step}`;
  const checkReturnable = async () => {
    const held = await act.returnableItems({ reservationId: orderId }).catch((err: unknown) => {
      if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === 'UnknownReservation') return undefined;
      }
      throw err;
    });
    const left = new Map((held?.returnable ?? []).map((l) => [l.sku, l.quantity]));
    const impossible = items.filter((i) => (left.get(i.sku) ?? 0) < i.quantity);
    if (impossible.length > 0) {
      const what = impossible.map((i) => `${i.quantity} × ${i.sku} (${left.get(i.sku) ?? 0} returnable)`).join(', ');
      throw ApplicationFailure.nonRetryable(
        `order ${orderId} cannot take back ${what}; nothing was refunded`,
        'ReturnNotPossible',
      );
    }
  };
  let approval: RefundResult['approval'];

  return saga.run(
    async () => {
      const order = await saga.step('check-order', async () => {
        const o = await readOrder();
        const left = (o.cardCents ?? 0) - o.refundedCents;
        if (!refundable.includes(o.status) || o.chargeId === null) {
          throw ApplicationFailure.nonRetryable(
            `order ${orderId} is ${o.status}, not refundable`,
            'OrderNotRefundable',
          );
        }
        if (amountCents > left) {
          throw ApplicationFailure.nonRetryable(
            `only ${left} cents of order ${orderId} are left`,
            'RefundExceedsCapture',
          );
        }
        // Everything after the pivot must be possible before the money moves: the items to return.
        if (items.length > 0 && patched(refundChecksReturnsPatch)) await checkReturnable();
        return { ...o, chargeId: o.chargeId };
      });
      if (!patched(customerIdNotSearchablePatch))
        upsertSearchAttributes([{ key: CustomerId, value: order.customerId }]);
      if (amountCents > approvalThresholdCents) {
        const decision = await saga.step('approval', () => askApproval(input, order.currency, policy));
        approval = { status: decision.status, decidedBy: decision.decidedBy };
        // Rejected (or expired, or withdrawn) before any money moved: an outcome, not a failure, and
        // SagaStatus says which (REJECTED, EXPIRED, WITHDRAWN) while the result says REJECTED.
        if (decision.status !== 'APPROVED')
          return saga.abort(decision.reason ?? decision.status, 'RefundRejected', decision.status);
      }
      const { chargeId } = order;
      await saga.step('refund-money', () => channel.refund({ chargeId, refundId, amountCents }, key('refund-money')), {
        pivot: true,
      });
      const points = pointsFor(amountCents);
      const revoke = { entryId: `refund:${refundId}`, customerId: order.customerId, orderId, points };
      const revoked = await saga.forward('revoke-points', () =>
        settle.revokePoints({ ...revoke, idempotencyKey: key('revoke-points') }),
      );
      if (items.length > 0) {
        await saga.forward('restock', () =>
          settle.returnItems({ reservationId: orderId, returnId: refundId, items, idempotencyKey: key('restock') }),
        );
      }
      const updated = await saga.forward('record-refund', () =>
        settle.recordRefund({ orderId, refundId, amountCents, idempotencyKey: key('record-refund') }),
      );
      // An operator may have skipped a step after the money moved: its part of the result is then unknown.
      const { revoked: pointsRevoked, debt: pointsDebt } = revoked === SKIPPED ? { revoked: 0, debt: 0 } : revoked;
      return {
        refundId,
        orderId,
        status: 'REFUNDED' as const,
        amountCents,
        ...(approval ? { approval } : {}),
        pointsRevoked,
        pointsDebt,
        ...(updated === SKIPPED ? {} : { orderStatus: updated.status }),
      };
    },
    ({ reason }): RefundResult => ({
      refundId,
      orderId,
      status: 'REJECTED',
      amountCents,
      reason,
      ...(approval ? { approval } : {}),
      pointsRevoked: 0,
      pointsDebt: 0,
    }),
  );
}

/** The approval as a child workflow; its id comes from the refund id, so a retry finds the same one. */
function askApproval(
  input: ReturnType<typeof refundInput.parse>,
  currency: string,
  policy: Omit<RefundPolicy, 'approvalThresholdCents'>,
) {
  return executeChild(approvalFlow, {
    workflowId: flows.approvalFlow.id(flows.refundSaga.id(input.refundId)),
    args: [
      {
        requestId: flows.refundSaga.id(input.refundId),
        kind: 'refund',
        requester: input.requestedBy,
        department: input.department,
        amountCents: input.amountCents,
        currency: currency as 'EUR',
        description: `Refund ${input.amountCents} cents of order ${input.orderId}: ${input.reason}`,
        slaPerLevelMs: policy.approvalSlaPerLevelMs,
        deadlineMs: policy.approvalDeadlineMs,
        routing: policy.routing,
      },
    ],
  });
}
