import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { checkoutRunInput, type CheckoutInput, type CheckoutResult } from '../contracts/checkout';
import { subtotalCents } from '../contracts/payment';
import { AmountCents, CustomerId, customerIdNotSearchablePatch, OrderId } from '../contracts/search-attributes';
import { flows } from '../contracts/flows';
import { orderSteps } from './order-steps';
import type { PaymentWaitOptions } from './payment-channel';
import { parseWorkflowInput } from './input';
import { Saga, type SagaOptions, type TccBranch } from './saga';
import { appSagaOptions } from './saga-options';

export type CheckoutOptions = Pick<SagaOptions, 'parallelUnwind' | 'attemptsBeforeAttention' | 'backoff'> & {
  payment?: PaymentWaitOptions;
};

/**
 * checkout (workflow id `checkout:<orderId>`): validate the order; reserve by TCC, in parallel,
 * the stock (freeze), the coupon (lock) and the wallet amount (freeze); charge the rest to the
 * card [pivot]; confirm all reservations; then points, shipment, order paid. A failure before
 * the pivot cancels every reservation and the order; so does a wallet amount above what is due,
 * which fails the run with `WalletExceedsTotal` (status ABORTED).
 */
export async function checkout(raw: CheckoutInput, options: CheckoutOptions = {}): Promise<CheckoutResult> {
  const input = parseWorkflowInput(checkoutRunInput, raw, 'checkout');
  const { orderId, customerId, walletCents } = input;
  const subtotal = subtotalCents(input);
  upsertSearchAttributes([
    { key: OrderId, value: orderId },
    ...(patched(customerIdNotSearchablePatch) ? [] : [{ key: CustomerId, value: customerId }]),
    { key: AmountCents, value: subtotal },
  ]);
  const { payment, ...sagaOptions } = options;
  const saga = new Saga({
    ...appSagaOptions(flows.checkout.type),
    plan: [
      'validate-order',
      'reserve',
      'charge-card',
      'confirm-reservations',
      'award-points',
      'create-shipment',
      'mark-order-paid',
    ],
    ...sagaOptions,
  });
  const steps = orderSteps(saga, input, payment);
  const { act, undo, key, lines } = steps;

  return saga.run(async () => {
    await steps.validateOrder();
    const call = (branchId: string, op: string) => ({
      gid: key('reserve'),
      branchId,
      idempotencyKey: key(`reserve:${branchId}:${op}`),
    });
    let discount = 0;
    const branches: TccBranch[] = [
      {
        name: 'stock',
        try: () => act.tryFreezeStock({ ...call('stock', 'try'), items: lines }),
        confirm: () => undo.confirmFrozenStock(call('stock', 'confirm')),
        cancel: () => undo.cancelFrozenStock(call('stock', 'cancel')),
      },
    ];
    const code = input.couponCode;
    if (code !== undefined) {
      branches.push({
        name: 'coupon',
        try: async () => {
          const locked = await act.tryLockCoupon({ ...call('coupon', 'try'), code });
          discount = Math.min(locked.result?.discountCents ?? 0, subtotal);
        },
        confirm: () => undo.confirmCoupon(call('coupon', 'confirm')),
        cancel: () => undo.cancelCouponLock(call('coupon', 'cancel')),
      });
    }
    if (walletCents > 0) {
      branches.push({
        name: 'wallet',
        try: () => act.tryFreezeBalance({ ...call('wallet', 'try'), customerId, amountCents: walletCents }),
        confirm: () => undo.confirmFrozenBalance(call('wallet', 'confirm')),
        cancel: () => undo.cancelFrozenBalance(call('wallet', 'cancel')),
      });
    }
    const reservations = await saga.tcc('reserve', branches, { tryTimeout: '30 seconds' });

    const cardCents = subtotal - discount - walletCents;
    if (cardCents < 0) {
      // Known only once the coupon's discount is: everything reserved is cancelled, the order too.
      return saga.abort(
        `wallet amount ${walletCents} exceeds the ${subtotal - discount} cents due`,
        'WalletExceedsTotal',
      );
    }
    const chargeId = cardCents > 0 ? `charge:${orderId}` : null;
    if (chargeId !== null) await steps.chargeCard(chargeId, cardCents);
    // Paid without the card: confirming the reservations is the point of no return.
    await saga.confirm('confirm-reservations', reservations, { pivot: !saga.committed });
    const { points } = await steps.fulfil(chargeId, cardCents + walletCents, cardCents);
    return { orderId, status: 'PAID', chargeId, cardCents, walletCents, discountCents: discount, points };
  });
}
