import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  paymentSagaInput,
  pointsFor,
  subtotalCents,
  type PaymentSagaInput,
  type PaymentSagaResult,
} from '../domain/payment';
import { AmountCents, CustomerId, OrderId } from '../temporal-config/search-attributes';
import { presets } from './presets';
import { describeError, Saga, type SagaOptions } from './saga';

export const paymentSagaPlan = [
  'validate-order',
  'reserve-stock',
  'lock-coupon',
  'charge-card',
  'award-points',
  'create-shipment',
  'mark-order-paid',
];

/** Saga options a caller may tune (tests shorten the backoff; operators may pick parallel unwind). */
export type PaymentSagaOptions = Pick<SagaOptions, 'parallelUnwind' | 'attemptsBeforeAttention' | 'backoff'>;

/**
 * paymentSaga (workflow id `payment:<orderId>`): validate the order, reserve stock, lock the
 * coupon, charge the card [pivot], award points, create the shipment, mark the order paid.
 * Before the pivot a failure releases the coupon and the stock and cancels the order with the
 * reason; after it, the saga only goes forward. Every call carries `Idempotency-Key:
 * <workflowId>:<step>` (compensations `<workflowId>:<step>:undo`).
 */
export async function paymentSaga(raw: PaymentSagaInput, options: PaymentSagaOptions = {}): Promise<PaymentSagaResult> {
  const parsed = paymentSagaInput.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`);
    throw ApplicationFailure.nonRetryable(`invalid payment input: ${fields.join('; ')}`, 'InvalidInput');
  }
  const input = parsed.data;
  const act = proxyActivities<Activities>(presets.serviceCall);
  const undo = proxyActivities<Activities>(presets.compensation);
  const id = workflowInfo().workflowId;
  const key = (step: string) => `${id}:${step}`;
  const { orderId, customerId } = input;
  const subtotal = subtotalCents(input);
  upsertSearchAttributes([
    { key: OrderId, value: orderId },
    { key: CustomerId, value: customerId },
    { key: AmountCents, value: subtotal },
  ]);

  const saga = new Saga({ flowType: 'paymentSaga', plan: paymentSagaPlan, ...options });
  return saga.run(async () => {
    await saga.step('validate-order', () => act.validateOrder({ ...input, idempotencyKey: key('validate-order') }), {
      compensate: (cause) =>
        undo.cancelOrder({ orderId, reason: describeError(cause), idempotencyKey: key('validate-order:undo') }),
    });
    const lines = input.items.map(({ sku, quantity }) => ({ sku, quantity }));
    await saga.step(
      'reserve-stock',
      () => act.reserveStock({ reservationId: orderId, items: lines, idempotencyKey: key('reserve-stock') }),
      { compensate: () => undo.releaseStock({ reservationId: orderId, idempotencyKey: key('reserve-stock:undo') }) },
    );
    let discount = 0;
    const code = input.couponCode;
    if (code !== undefined) {
      const coupon = await saga.step(
        'lock-coupon',
        () => act.lockCoupon({ code, orderId, idempotencyKey: key('lock-coupon') }),
        { compensate: () => undo.releaseCoupon({ code, orderId, idempotencyKey: key('lock-coupon:undo') }) },
      );
      discount = Math.min(coupon?.discountCents ?? 0, subtotal);
    }
    const amount = subtotal - discount;
    const chargeId = amount > 0 ? `charge:${orderId}` : null;
    await saga.step(
      'charge-card',
      async () => {
        if (chargeId === null) return; // fully discounted: nothing to charge
        await act.chargeCard({
          chargeId,
          orderId,
          amountCents: amount,
          currency: input.currency,
          cardNumber: input.card.number,
          idempotencyKey: key('charge-card'),
        });
      },
      {
        pivot: true,
        compensate: async () => {
          if (chargeId !== null) await undo.refundCharge({ chargeId, idempotencyKey: key('charge-card:undo') });
        },
      },
    );
    const points = pointsFor(amount);
    await saga.step('award-points', () =>
      act.awardPoints({
        entryId: `order:${orderId}`,
        customerId,
        orderId,
        points,
        idempotencyKey: key('award-points'),
      }),
    );
    const shipmentId = `shipment:${orderId}`;
    await saga.step('create-shipment', () =>
      act.createShipment({ shipmentId, orderId, items: lines, idempotencyKey: key('create-shipment') }),
    );
    await saga.step('mark-order-paid', () =>
      act.markOrderPaid({
        orderId,
        chargeId: chargeId ?? 'none',
        amountCents: amount,
        idempotencyKey: key('mark-order-paid'),
      }),
    );
    return { orderId, status: 'PAID', chargeId, amountCents: amount, discountCents: discount, points, shipmentId };
  });
}
