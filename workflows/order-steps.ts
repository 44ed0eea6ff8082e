import { patched, workflowInfo } from '@temporalio/workflow';
import { paymentSourceOf, pointsFor, type PaymentSagaRunInput } from '../contracts/payment';
import { PaymentChannel, type PaymentWaitOptions } from './payment-channel';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { describeError, type Saga } from './saga';

/** What the order service is told of an order: never how it is paid. */
const orderOf = ({ orderId, customerId, currency, items, couponCode }: PaymentSagaRunInput) => ({
  orderId,
  customerId,
  currency,
  items,
  ...(couponCode !== undefined ? { couponCode } : {}),
});

/** The steps every order flow shares, with idempotency keys `<workflowId>:<step>`. */
export function orderSteps(
  saga: Saga,
  input: PaymentSagaRunInput,
  payment: PaymentWaitOptions = {},
  calls: { local?: boolean } = {},
) {
  const channel = new PaymentChannel(payment, calls);
  // Before the pivot each step races the unpaid deadline (`beforeDeadline`); after it, forward only.
  const act = narratedActivities(presets.untilDeadline, calls);
  const undo = narratedActivities(presets.compensation, calls);
  const key = (step: string) => `${workflowInfo().workflowId}:${step}`;
  const { orderId, customerId } = input;
  const lines = input.items.map(({ sku, quantity }) => ({ sku, quantity }));
  return {
    act,
    undo,
    key,
    lines,
    /**
     * A step before the pivot, retried through transient faults until the unpaid deadline (see
     * `PaymentChannel.beforeDeadline`): only a refusal or the deadline fails it.
     */
    beforeDeadline: <T>(step: string, work: () => Promise<T>) => channel.beforeDeadline(step, work),
    /** Creates or checks the order; undone by cancelling it with the reason of the failure. */
    validateOrder: () =>
      saga.step(
        'validate-order',
        () =>
          channel.beforeDeadline('validate-order', () =>
            act.validateOrder({
              ...orderOf(input),
              flow: workflowInfo().workflowId,
              idempotencyKey: key('validate-order'),
            }),
          ),
        {
          compensate: (cause) =>
            undo.cancelOrder({ orderId, reason: describeError(cause), idempotencyKey: key('validate-order:undo') }),
        },
      ),
    /** Charges the card and waits until it settles: the pivot (see PaymentChannel.chargeStep). */
    chargeCard: (chargeId: string, amountCents: number) =>
      channel.chargeStep(
        saga,
        { chargeId, orderId, amountCents, currency: input.currency, ...paymentSourceOf(input) },
        key,
      ),
    /** After the pivot: award points, create the shipment, mark the order paid (forward only). */
    async fulfil(chargeId: string | null, paidCents: number, cardCents = chargeId === null ? 0 : paidCents) {
      const points = pointsFor(paidCents);
      // Nothing charged (fully discounted or paid otherwise): awarding points is then the pivot.
      const award = { entryId: `order:${orderId}`, customerId, orderId, points, idempotencyKey: key('award-points') };
      await saga.forward('award-points', () => act.awardPoints(award), { pivot: true });
      const shipmentId = `shipment:${orderId}`;
      await saga.forward('create-shipment', () =>
        act.createShipment({ shipmentId, orderId, items: lines, idempotencyKey: key('create-shipment') }),
      );
      // Runs from before the field could be absent keep sending 'none' under their key, so a retry
      // across the deploy is not refused as a reused key with another body.
      const legacyNoCharge = chargeId === null && !patched('no-charge-is-absent');
      await saga.forward('mark-order-paid', () =>
        act.markOrderPaid({
          orderId,
          ...(chargeId !== null ? { chargeId } : legacyNoCharge ? { chargeId: 'none' } : {}),
          amountCents: paidCents,
          // Only when it differs, so a request already made under this key keeps its body.
          ...(cardCents !== paidCents ? { cardCents } : {}),
          idempotencyKey: key('mark-order-paid'),
        }),
      );
      return { points, shipmentId };
    },
  };
}
