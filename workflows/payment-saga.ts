import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import {
  paymentSagaRunInput,
  subtotalCents,
  type PaymentSagaInput,
  type PaymentSagaResult,
} from '../contracts/payment';
import { AmountCents, CustomerId, customerIdNotSearchablePatch, OrderId } from '../contracts/search-attributes';
import { flows } from '../contracts/flows';
import { orderSteps } from './order-steps';
import type { PaymentWaitOptions } from './payment-channel';
import { parseWorkflowInput } from './input';
import { Saga, type SagaOptions } from './saga';
import { appSagaOptions } from './saga-options';

export const paymentSagaPlan = [
  'validate-order',
  'reserve-stock',
  'lock-coupon',
  'charge-card',
  'award-points',
  'create-shipment',
  'mark-order-paid',
  'sell-stock',
  'redeem-coupon',
];

/** The patch that settles what a paid order holds: its reservation sold, its coupon redeemed. */
export const settleHoldsPatch = 'settle-paid-holds';

/**
 * Options a caller may tune: the saga's (tests shorten the backoff; operators may pick parallel
 * unwind) and how the payment is awaited (callback timeout, polling, the unpaid deadline).
 */
export type PaymentSagaOptions = Pick<SagaOptions, 'parallelUnwind' | 'attemptsBeforeAttention' | 'backoff'> & {
  payment?: PaymentWaitOptions;
  /** Run the service calls as local activities (see `narratedActivities`); default off. */
  localActivities?: boolean;
};

/**
 * paymentSaga (workflow id `payment:<orderId>`): validate the order, reserve stock, lock the
 * coupon, charge the card and wait until the gateway settles it [pivot], award points, create the
 * shipment, mark the order paid, sell the reserved stock and redeem the locked coupon. Before the
 * pivot a failure (a decline, or the unpaid deadline passing) undoes the charge and releases the
 * coupon and the stock and cancels the order with the reason; after it, the saga only goes
 * forward. A transient fault (a participant down, a timeout, a 5xx) never unwinds it: before the
 * pivot each call is retried until the unpaid deadline, after it until it is answered. Every call
 * carries `Idempotency-Key: <workflowId>:<step>` (compensations `<workflowId>:<step>:undo`).
 */
export async function paymentSaga(raw: PaymentSagaInput, options: PaymentSagaOptions = {}): Promise<PaymentSagaResult> {
  const input = parseWorkflowInput(paymentSagaRunInput, raw, 'payment');
  const { orderId, customerId } = input;
  const subtotal = subtotalCents(input);
  upsertSearchAttributes([
    { key: OrderId, value: orderId },
    ...(patched(customerIdNotSearchablePatch) ? [] : [{ key: CustomerId, value: customerId }]),
    { key: AmountCents, value: subtotal },
  ]);

  const { payment, localActivities, ...sagaOptions } = options;
  const saga = new Saga({ ...appSagaOptions(flows.paymentSaga.type), plan: paymentSagaPlan, ...sagaOptions });
  const steps = orderSteps(saga, input, payment, { local: localActivities === true });
  const { act, undo, key, lines } = steps;
  return saga.run(async () => {
    await steps.validateOrder();
    await saga.step(
      'reserve-stock',
      () =>
        steps.beforeDeadline('reserve-stock', () =>
          act.reserveStock({ reservationId: orderId, items: lines, idempotencyKey: key('reserve-stock') }),
        ),
      { compensate: () => undo.releaseStock({ reservationId: orderId, idempotencyKey: key('reserve-stock:undo') }) },
    );
    let discount = 0;
    const code = input.couponCode;
    if (code !== undefined) {
      const coupon = await saga.step(
        'lock-coupon',
        () =>
          steps.beforeDeadline('lock-coupon', () =>
            act.lockCoupon({ code, orderId, idempotencyKey: key('lock-coupon') }),
          ),
        { compensate: () => undo.releaseCoupon({ code, orderId, idempotencyKey: key('lock-coupon:undo') }) },
      );
      discount = Math.min(coupon.discountCents, subtotal);
    }
    const amount = subtotal - discount;
    const chargeId = amount > 0 ? `charge:${orderId}` : null;
    if (chargeId !== null) await steps.chargeCard(chargeId, amount);
    const { points, shipmentId } = await steps.fulfil(chargeId, amount);
    // Runs started before holds were settled end with them held, as they did.
    if (patched(settleHoldsPatch)) {
      await saga.forward('sell-stock', () =>
        act.sellStock({ reservationId: orderId, idempotencyKey: key('sell-stock') }),
      );
      if (code !== undefined) {
        await saga.forward('redeem-coupon', () =>
          act.redeemCoupon({ code, orderId, idempotencyKey: key('redeem-coupon') }),
        );
      }
    }
    return { orderId, status: 'PAID', chargeId, amountCents: amount, discountCents: discount, points, shipmentId };
  });
}
