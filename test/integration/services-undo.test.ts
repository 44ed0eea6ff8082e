import { describe, expect, it } from 'vitest';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { http } from '../support/services';
import { useServices } from '../support/fixtures';

const stack = useServices();

const post = (service: Parameters<typeof stack.url>[0], path: string, body: unknown, key: string) =>
  http('POST', `${stack.url(service)}${path}`, body, { 'idempotency-key': key });
const count = async (sql: string) => Number((await stack.services.pool.query(sql)).rows[0].n);

describe('undo endpoints on something that never happened succeed and change nothing', () => {
  it.each([
    [
      'order',
      '/orders/never-1/cancel',
      { reason: 'test' },
      `SELECT count(*) AS n FROM "order".orders WHERE order_id = 'never-1'`,
    ],
    [
      'payments',
      '/charges/never-1/refund',
      {},
      `SELECT count(*) AS n FROM payments.charges WHERE charge_id = 'never-1'`,
    ],
    [
      'coupon',
      '/coupons/NEVER-1/release',
      { orderId: 'never-1' },
      `SELECT count(*) AS n FROM coupon.coupons WHERE code = 'NEVER-1'`,
    ],
    [
      'shipping',
      '/shipments/never-1/cancel',
      {},
      `SELECT count(*) AS n FROM shipping.shipments WHERE shipment_id = 'never-1'`,
    ],
  ] as const)('%s %s', async (service, path, body, countSql) => {
    const before = await count(countSql);
    const answer = await post(service, path, body, `undo-${service}`);
    expect(answer.status).toBe(200);
    // Counted for this id only: other test files write to the same tables at the same time.
    expect(await count(countSql)).toBe(before);
  });
});

describe('every service answers a repeated key with the first response and a changed body with 409', () => {
  it('payments: one capture for one key, the same answer again, 409 for another amount', async () => {
    const body = {
      chargeId: 'ch-idem',
      orderId: 'o-idem',
      amountCents: 1000,
      currency: 'EUR',
      paymentMethod: testPaymentMethods.success,
    };
    const first = await post('payments', '/charges', body, 'k-charge-idem');
    const again = await post('payments', '/charges', body, 'k-charge-idem');
    const changed = await post('payments', '/charges', { ...body, amountCents: 2000 }, 'k-charge-idem');
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect(changed.status).toBe(409);
    expect(await count(`SELECT count(*) AS n FROM payments.charges WHERE order_id = 'o-idem'`)).toBe(1);
  });

  it('wallet: points are awarded once however often the award is repeated', async () => {
    const body = { entryId: 'e-idem', customerId: 'c-idem', orderId: 'o-idem', points: 7 };
    await post('wallet', '/points/award', body, 'k-award-idem');
    await post('wallet', '/points/award', body, 'k-award-idem');
    await post('wallet', '/points/award', body, 'k-award-idem-other-key');
    const account = await http('GET', `${stack.url('wallet')}/accounts/c-idem`);
    expect(account.body.balancePoints).toBe(7);
  });

  it('a refusal is remembered as the answer for its key, even after the state that caused it changed', async () => {
    const charge = (chargeId: string) => ({
      chargeId,
      orderId: 'o-refused',
      amountCents: 1000,
      currency: 'EUR',
      paymentMethod: testPaymentMethods.noCallback,
    });
    expect((await post('payments', '/charges', charge('ch-refused-1'), 'k-refused-1')).status).toBe(201);
    const refused = await post('payments', '/charges', charge('ch-refused-2'), 'k-refused-2');
    expect(refused.status).toBe(422);
    expect(refused.body.error.type).toBe('AlreadyCharged');
    // The first charge is undone, so a fresh call would now be accepted; the key still answers the refusal.
    expect((await post('payments', '/charges/ch-refused-1/refund', {}, 'k-refused-undo')).status).toBe(200);
    expect(await post('payments', '/charges', charge('ch-refused-2'), 'k-refused-2')).toEqual(refused);
    expect(await count(`SELECT count(*) AS n FROM payments.charges WHERE charge_id = 'ch-refused-2'`)).toBe(0);
  });
});

describe('an undo that arrives before its call leaves a tombstone the late call respects', () => {
  it('payments: a refund before the capture voids it, and the late capture is refused', async () => {
    expect((await post('payments', '/charges/ch-late/refund', {}, 'k-late-refund')).status).toBe(200);
    const late = await post(
      'payments',
      '/charges',
      {
        chargeId: 'ch-late',
        orderId: 'o-late',
        amountCents: 1000,
        currency: 'EUR',
        paymentMethod: testPaymentMethods.success,
      },
      'k-late-charge',
    );
    expect(late.status).toBe(422);
    expect(late.body.error.type).toBe('ChargeVoided');
    expect(await count(`SELECT count(*) AS n FROM payments.charges WHERE charge_id = 'ch-late'`)).toBe(0);
  });

  it('coupon: a paid order redeems the coupon it locked; a redeemed coupon is neither released nor locked again', async () => {
    const coupon = async () => (await http('GET', `${stack.url('coupon')}/coupons/RED-1`)).body as object;
    await http('PUT', `${stack.url('coupon')}/coupons/RED-1`, { discountCents: 100 });
    const notLocked = await post('coupon', '/coupons/RED-1/redeem', { orderId: 'o-red' }, 'k-red-early');
    expect(notLocked.status).toBe(409);
    expect(notLocked.body.error.type).toBe('CouponNotLocked');
    await post('coupon', '/coupons/RED-1/lock', { orderId: 'o-red' }, 'k-red-lock');
    const redeemed = await post('coupon', '/coupons/RED-1/redeem', { orderId: 'o-red' }, 'k-red');
    expect(redeemed.body).toMatchObject({ status: 'REDEEMED', orderId: 'o-red' });
    expect((await post('coupon', '/coupons/RED-1/redeem', { orderId: 'o-red' }, 'k-red-2')).status).toBe(200);
    expect((await post('coupon', '/coupons/RED-1/redeem', { orderId: 'o-other' }, 'k-red-3')).status).toBe(409);
    expect((await post('coupon', '/coupons/RED-1/release', { orderId: 'o-red' }, 'k-red-rel')).body).toEqual({
      code: 'RED-1',
      released: false,
    });
    expect((await post('coupon', '/coupons/RED-1/lock', { orderId: 'o-other' }, 'k-red-lock-2')).status).toBe(422);
    expect(await coupon()).toMatchObject({ status: 'REDEEMED', orderId: 'o-red' });
  });

  it('coupon: a release before the lock refuses the late lock and leaves the coupon available', async () => {
    await http('PUT', `${stack.url('coupon')}/coupons/LATE-1`, { discountCents: 100 });
    await post('coupon', '/coupons/LATE-1/release', { orderId: 'o-late' }, 'k-late-release');
    const late = await post('coupon', '/coupons/LATE-1/lock', { orderId: 'o-late' }, 'k-late-lock');
    expect(late.status).toBe(422);
    expect(late.body.error.type).toBe('CouponReleased');
    expect((await http('GET', `${stack.url('coupon')}/coupons/LATE-1`)).body.status).toBe('AVAILABLE');
  });
});
