import { ApplicationFailure, upsertSearchAttributes } from '@temporalio/workflow';
import { paymentSagaInput, subtotalCents, type PaymentSagaInput, type PaymentSagaResult } from '../domain/payment';
import { AmountCents, CustomerId, OrderId } from '../temporal-config/search-attributes';
import { orderSteps } from './order-steps';
import { Saga, type SagaOptions } from './saga';

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
  const { orderId, customerId } = input;
  const subtotal = subtotalCents(input);
  upsertSearchAttributes([
    { key: OrderId, value: orderId },
    { key: CustomerId, value: customerId },
    { key: AmountCents, value: subtotal },
  ]);

  const saga = new Saga({ flowType: 'paymentSaga', plan: paymentSagaPlan, ...options });
  const steps = orderSteps(saga, input);
  const { act, undo, key, lines } = steps;
  return saga.run(async () => {
    await steps.validateOrder();
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
    if (chargeId !== null) await steps.chargeCard(chargeId, amount);
    const { points, shipmentId } = await steps.fulfil(chargeId, amount);
    return { orderId, status: 'PAID', chargeId, amountCents: amount, discountCents: discount, points, shipmentId };
  });
}
