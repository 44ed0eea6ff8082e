import { describe, expect, it } from 'vitest';
import type { CheckoutInput } from '../../contracts/checkout';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { startCheckout, startPayment } from '../../client';
import { http } from '../support/services';
import { shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';
import { useStack } from '../support/fixtures';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);

async function seed(id: string) {
  await db.stock(`${id}-SKU`, 10);
  await db.coupon(`${id}-SAVE`, 500);
  await http('PUT', `${stack.url('wallet')}/accounts/cust-${id}/balance`, { balanceCents: 2000 });
}
const order = (id: string, card: string): CheckoutInput => ({
  orderId: id,
  customerId: `cust-${id}`,
  currency: 'EUR',
  items: [{ sku: `${id}-SKU`, quantity: 2, unitPriceCents: 2500 }],
  couponCode: `${id}-SAVE`,
  walletCents: 1000,
  paymentMethod: card,
});
const wallet = async (id: string) => (await http('GET', `${stack.url('wallet')}/accounts/cust-${id}`)).body;
const stockOf = async (sku: string) => (await http('GET', `${stack.url('inventory')}/stock/${sku}`)).body;

function run(input: CheckoutInput) {
  const taskQueue = uniqueTaskQueue('int-checkout');
  return withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, () =>
    startCheckout(stack.client, input, { taskQueue })
      .then((handle) => handle.result())
      .then(
        (r) => r as { status: string; cardCents: number },
        () => ({ status: 'FAILED', cardCents: 0 }),
      ),
  );
}

describe('checkout by TCC on the real stack', () => {
  it('pays with wallet balance plus card: stock sold, coupon redeemed, balance spent', async () => {
    await seed('co-1');
    expect(await run(order('co-1', testPaymentMethods.success))).toMatchObject({ status: 'PAID', cardCents: 3500 });
    expect(await stockOf('co-1-SKU')).toMatchObject({ available: 8, frozen: 0, sold: 2 });
    expect(await db.couponOf('co-1-SAVE')).toMatchObject({ status: 'REDEEMED' });
    expect(await wallet('co-1')).toMatchObject({
      balanceCents: 1000,
      frozenCents: 0,
      spentCents: 1000,
      balancePoints: 45,
    });
    expect(await db.chargesOf('co-1')).toEqual([{ chargeId: 'charge:co-1', amountCents: 3500, status: 'CAPTURED' }]);
    expect(await db.orderOf('co-1')).toMatchObject({ status: 'PAID' });
  });

  it('a checkout for an order a payment saga already paid is refused before anything is held', async () => {
    await seed('co-own');
    const { walletCents: _wallet, ...paymentInput } = order('co-own', testPaymentMethods.success);
    const taskQueue = uniqueTaskQueue('int-checkout-own');
    const error = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      async () => {
        await (await startPayment(stack.client, paymentInput, { taskQueue })).result();
        const checkout = await startCheckout(stack.client, order('co-own', testPaymentMethods.success), { taskQueue });
        return checkout.result().then(
          () => undefined,
          (err: Error & { cause?: Error }) => err,
        );
      },
    );
    expect(error?.cause?.message).toMatch(/OrderOwnedByFlow.*payment:co-own/);
    // Only the payment saga's effects: the stock it sold, the coupon it redeemed, nothing frozen, the balance untouched.
    expect(await stockOf('co-own-SKU')).toMatchObject({ available: 8, frozen: 0, sold: 2 });
    expect(await db.couponOf('co-own-SAVE')).toMatchObject({ status: 'REDEEMED' });
    expect(await wallet('co-own')).toMatchObject({ balanceCents: 2000, frozenCents: 0, spentCents: 0 });
    const charges = await db.chargesOf('co-own');
    expect(charges).toHaveLength(1); // the payment saga's, nothing from the checkout
    expect(charges[0]).toMatchObject({ chargeId: 'charge:co-own', status: 'CAPTURED' });
    expect(await db.orderOf('co-own')).toMatchObject({ status: 'PAID' });
  });

  it('a declined card releases stock, coupon and balance, and cancels the order', async () => {
    await seed('co-2');
    expect((await run(order('co-2', testPaymentMethods.declined))).status).toBe('FAILED');
    expect(await stockOf('co-2-SKU')).toMatchObject({ available: 10, frozen: 0, sold: 0 });
    expect(await db.couponOf('co-2-SAVE')).toEqual({ status: 'AVAILABLE', orderId: null });
    expect(await wallet('co-2')).toMatchObject({ balanceCents: 2000, frozenCents: 0, spentCents: 0 });
    // The gateway declined it: a FAILED charge, no money taken.
    expect(await db.chargesOf('co-2')).toEqual([{ chargeId: 'charge:co-2', amountCents: 3500, status: 'FAILED' }]);
    expect((await db.orderOf('co-2')).status).toBe('CANCELLED');
  });
});
