import { describe, expect, it } from 'vitest';
import { maxMinorUnits } from '../../contracts/fields';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { http } from '../support/services';
import { useServices } from '../support/fixtures';

const stack = useServices();

type Service = Parameters<typeof stack.url>[0];
const post = (service: Service, path: string, body: unknown, key: string) =>
  http('POST', `${stack.url(service)}${path}`, body, { 'idempotency-key': key });
const get = (service: Service, path: string) => http('GET', `${stack.url(service)}${path}`);
const put = (service: Service, path: string, body: unknown) => http('PUT', `${stack.url(service)}${path}`, body);
const count = async (sql: string, params: unknown[]) =>
  Number((await stack.services.pool.query<{ n: number }>(sql, params)).rows[0]!.n);

/** Past 2^31, where an `::int` read overflowed; well inside the 64-bit bound. */
const big = 3_000_000_000;
const past = maxMinorUnits + 1;

const order = (orderId: string, unitPriceCents: number, quantity = 1) => ({
  orderId,
  customerId: 'c-money',
  currency: 'EUR',
  items: [{ sku: 'SKU-MONEY', quantity, unitPriceCents }],
  paymentMethod: testPaymentMethods.success,
});

/** The 400 of the shared error handler, naming `path` with the bound in its rule. */
function expectRefused(answer: { status: number; body: any }, path: string) {
  expect(answer.status).toBe(400);
  expect(answer.body.error.type).toBe('InvalidRequest');
  expect(answer.body.error.fields).toContainEqual({ path, message: expect.stringContaining(String(maxMinorUnits)) });
}

describe('money past 2^31 is stored and read back exactly', () => {
  it('coupon: a discount of 10^10 cents is seeded and read', async () => {
    expect((await put('coupon', '/coupons/BIGC', { discountCents: 10_000_000_000 })).status).toBe(200);
    const coupon = await get('coupon', '/coupons/BIGC');
    expect(coupon.status).toBe(200);
    expect(coupon.body.discountCents).toBe(10_000_000_000);
  });

  it('wallet: 22 awards of 10^8 points take the balance past 2^31, and it is readable', async () => {
    for (let i = 0; i < 22; i++) {
      const body = { entryId: `e-big-${i}`, customerId: 'c-points', orderId: `o-big-${i}`, points: 100_000_000 };
      expect((await post('wallet', '/points/award', body, `k-big-${i}`)).status).toBe(200);
    }
    const account = await get('wallet', '/accounts/c-points');
    expect(account.status).toBe(200);
    expect(account.body.balancePoints).toBe(2_200_000_000);
  });

  it('order: an order totalling past 2^31 cents is created, marked paid with 3e9 and read', async () => {
    const created = await post('order', '/orders', order('o-big', 1_500_000_000, 2), 'k-order-big');
    expect(created.status).toBe(201);
    expect(created.body.subtotalCents).toBe(big);
    const paid = await post('order', '/orders/o-big/mark-paid', { chargeId: 'ch-o-big', amountCents: big }, 'k-paid');
    expect(paid.status).toBe(200);
    expect((await get('order', '/orders/o-big')).body).toMatchObject({
      status: 'PAID',
      paidCents: big,
      cardCents: big,
    });
  });

  it('gateway: a charge of 3e9 cents is created and read', async () => {
    const charge = { chargeId: 'ch-big', orderId: 'o-big-charge', amountCents: big, currency: 'EUR' };
    const created = await post(
      'payments',
      '/charges',
      { ...charge, paymentMethod: testPaymentMethods.success },
      'k-ch-big',
    );
    expect(created.status).toBe(201);
    const read = await get('payments', '/charges/ch-big');
    expect(read.status).toBe(200);
    expect(read.body.amountCents).toBe(big);
  });

  it('approvals: a budget of 3e9 cents is set and read', async () => {
    expect((await put('approvals', '/budgets/engineering', { totalCents: big })).status).toBe(200);
    expect((await get('approvals', '/budgets/engineering')).body.totalCents).toBe(big);
  });
});

describe('a value past the money bound is a 400 naming the field, and nothing is stored', () => {
  it('coupon seed', async () => {
    expectRefused(await put('coupon', '/coupons/PASTC', { discountCents: past }), 'discountCents');
    expect((await get('coupon', '/coupons/PASTC')).status).toBe(404);
  });

  it('order: a unit price past the bound, and lines that total past it', async () => {
    expectRefused(await post('order', '/orders', order('o-past', past), 'k-past-1'), 'items.0.unitPriceCents');
    expectRefused(await post('order', '/orders', order('o-past', maxMinorUnits, 2), 'k-past-2'), 'items');
    const validate = { customerId: 'c-money', currency: 'EUR', items: order('o-past', maxMinorUnits, 2).items };
    expectRefused(await post('order', '/orders/o-past/validate', validate, 'k-past-3'), 'items');
    expect(await count(`SELECT count(*) AS n FROM "order".orders WHERE order_id = $1`, ['o-past'])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM "order".outbox WHERE aggregate_id = $1`, ['o-past'])).toBe(0);
  });

  it('order: mark-paid past the bound leaves the order pending', async () => {
    expect((await post('order', '/orders', order('o-past-paid', 100), 'k-past-paid-order')).status).toBe(201);
    const body = { chargeId: 'ch-past', amountCents: past };
    expectRefused(await post('order', '/orders/o-past-paid/mark-paid', body, 'k-past-paid'), 'amountCents');
    expect((await get('order', '/orders/o-past-paid')).body).toMatchObject({ status: 'PENDING', paidCents: null });
  });

  it('gateway charge', async () => {
    const charge = { chargeId: 'ch-past', orderId: 'o-past', amountCents: past, currency: 'EUR' };
    const answer = await post(
      'payments',
      '/charges',
      { ...charge, paymentMethod: testPaymentMethods.success },
      'k-ch-past',
    );
    expectRefused(answer, 'amountCents');
    expect(await count(`SELECT count(*) AS n FROM payments.charges WHERE charge_id = $1`, ['ch-past'])).toBe(0);
  });

  it('wallet award and stored balance, approvals budget', async () => {
    const award = { entryId: 'e-past', customerId: 'c-past', orderId: 'o-past', points: past };
    expectRefused(await post('wallet', '/points/award', award, 'k-award-past'), 'points');
    expectRefused(await put('wallet', '/accounts/c-past/balance', { balanceCents: past }), 'balanceCents');
    expect(await count(`SELECT count(*) AS n FROM wallet.point_entries WHERE entry_id = $1`, ['e-past'])).toBe(0);
    expect((await get('wallet', '/accounts/c-past')).status).toBe(404);
    expectRefused(await put('approvals', '/budgets/marketing', { totalCents: past }), 'totalCents');
    expect((await get('approvals', '/budgets/marketing')).status).toBe(404);
  });

  it('wallet: awards that would sum past the bound are refused as AmountLimit, the balance unchanged', async () => {
    const award = (n: number, points: number) =>
      post(
        'wallet',
        '/points/award',
        { entryId: `e-sum-${n}`, customerId: 'c-sum', orderId: 'o-sum', points },
        `k-sum-${n}`,
      );
    expect((await award(1, maxMinorUnits)).status).toBe(200);
    const refused = await award(2, 1);
    expect(refused.status).toBe(422);
    expect(refused.body.error.type).toBe('AmountLimit');
    expect(refused.body.error.message).toContain('balance_points');
    // The refusal is the key's answer, and neither the entry nor the balance moved.
    expect(await award(2, 1)).toEqual(refused);
    expect(await count(`SELECT count(*) AS n FROM wallet.point_entries WHERE entry_id = $1`, ['e-sum-2'])).toBe(0);
    expect((await get('wallet', '/accounts/c-sum')).body.balancePoints).toBe(maxMinorUnits);
  });
});
