import { setTimeout as sleep } from 'node:timers/promises';
import type { Activities } from '../activities';
import { isSettled } from '../contracts/gateway';
import { pointsFor, subtotalCents, type PaymentSagaInput } from '../contracts/payment';

/**
 * (a) The plain system: the payment saga's business steps called in sequence from this process,
 * with the same activity functions (the same HTTP calls, bodies and idempotency keys) and the
 * compensation in code. No engine: nothing survives a crash, nothing retries. The charge is
 * awaited by polling its status every `pollMs`, as there is no workflow to signal.
 */
export async function plainPayment(
  act: Activities,
  input: PaymentSagaInput,
  pollMs = 10,
): Promise<'COMPLETED' | 'COMPENSATED'> {
  const { orderId, customerId } = input;
  const key = (step: string) => `plain:${orderId}:${step}`;
  const lines = input.items.map(({ sku, quantity }) => ({ sku, quantity }));
  const undo: (() => Promise<unknown>)[] = [];
  let amount = subtotalCents(input);
  const chargeId = `charge:${orderId}`;
  try {
    await act.validateOrder({ ...input, idempotencyKey: key('validate-order') });
    undo.push(() => act.cancelOrder({ orderId, reason: 'declined', idempotencyKey: key('validate-order:undo') }));
    await act.reserveStock({ reservationId: orderId, items: lines, idempotencyKey: key('reserve-stock') });
    undo.push(() => act.releaseStock({ reservationId: orderId, idempotencyKey: key('reserve-stock:undo') }));
    const code = input.couponCode;
    if (code !== undefined) {
      const coupon = await act.lockCoupon({ code, orderId, idempotencyKey: key('lock-coupon') });
      undo.push(() => act.releaseCoupon({ code, orderId, idempotencyKey: key('lock-coupon:undo') }));
      amount -= Math.min(coupon.discountCents, amount);
    }
    let charge = await act.chargeCard({
      chargeId,
      orderId,
      reference: `plain:${orderId}`,
      amountCents: amount,
      currency: input.currency,
      paymentMethod: input.paymentMethod,
      idempotencyKey: key('charge-card'),
    });
    while (!isSettled(charge.status)) {
      await sleep(pollMs);
      charge = await act.getCharge({ chargeId });
    }
    if (charge.status !== 'CAPTURED') throw new Error(`charge ${chargeId} ended ${charge.status}`);
  } catch {
    for (const step of undo.reverse()) await step();
    return 'COMPENSATED';
  }
  await act.awardPoints({
    entryId: `order:${orderId}`,
    customerId,
    orderId,
    points: pointsFor(amount),
    idempotencyKey: key('award-points'),
  });
  await act.createShipment({
    shipmentId: `shipment:${orderId}`,
    orderId,
    items: lines,
    idempotencyKey: key('create-shipment'),
  });
  await act.markOrderPaid({ orderId, chargeId, amountCents: amount, idempotencyKey: key('mark-order-paid') });
  return 'COMPLETED';
}

/** (a) for the length workload: `steps` stock reservations in sequence, released in reverse on failure. */
export async function plainChain(act: Activities, input: { id: string; sku: string; steps: number }) {
  const done: string[] = [];
  try {
    for (let i = 0; i < input.steps; i++) {
      const reservationId = `plain:${input.id}:reserve-${i}`;
      await act.reserveStock({
        reservationId,
        items: [{ sku: input.sku, quantity: 1 }],
        idempotencyKey: reservationId,
      });
      done.push(reservationId);
    }
    return 'COMPLETED' as const;
  } catch {
    for (const id of done.reverse()) await act.releaseStock({ reservationId: id, idempotencyKey: `${id}:undo` });
    return 'COMPENSATED' as const;
  }
}
