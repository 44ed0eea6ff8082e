import { describe, expect, it } from 'vitest';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { useServices } from '../support/fixtures';
import { http } from '../support/services';

const stack = useServices();
const post = (service: Parameters<typeof stack.url>[0], path: string, body: unknown, key: string) =>
  http('POST', `${stack.url(service)}${path}`, body, { 'idempotency-key': key });
const get = (service: Parameters<typeof stack.url>[0], path: string) => http('GET', `${stack.url(service)}${path}`);

describe('what a refund touches, service by service', () => {
  it('order: paid without a card charge it holds no charge id, also when an old caller still sends "none"', async () => {
    const lines = [{ sku: 'RS-NC', quantity: 1, unitPriceCents: 500 }];
    for (const orderId of ['rs-nc-1', 'rs-nc-legacy']) {
      await stack.activities.validateOrder({
        orderId,
        customerId: 'rs-c9',
        currency: 'EUR',
        items: lines,
        idempotencyKey: `k-${orderId}-validate`,
      });
    }
    const paid = await stack.activities.markOrderPaid({
      orderId: 'rs-nc-1',
      amountCents: 500,
      cardCents: 0,
      idempotencyKey: 'k-rs-nc-1-paid',
    });
    expect(paid).toMatchObject({ status: 'PAID', chargeId: null, cardCents: 0 });
    // An activity scheduled before the change is retried with its first body.
    const legacy = { chargeId: 'none', amountCents: 500, cardCents: 0 };
    expect((await post('order', '/orders/rs-nc-legacy/mark-paid', legacy, 'k-rs-nc-legacy')).status).toBe(200);
    expect((await post('order', '/orders/rs-nc-legacy/mark-paid', legacy, 'k-rs-nc-legacy')).status).toBe(200);
    expect((await get('order', '/orders/rs-nc-legacy')).body).toMatchObject({ status: 'PAID', chargeId: null });
  });

  it('wallet: revoking more points than are left takes the balance to zero and records the rest as debt', async () => {
    await post(
      'wallet',
      '/points/award',
      { entryId: 'rs-a', customerId: 'rs-c1', orderId: 'rs-o1', points: 30 },
      'k-rs-a',
    );
    const revoke = { entryId: 'rs-r', customerId: 'rs-c1', orderId: 'rs-o1', points: 45 };
    const first = await post('wallet', '/points/revoke', revoke, 'k-rs-r');
    expect(first.body).toMatchObject({ revoked: 30, debt: 15 });
    // Again under another key: the entry id makes it a no-op.
    await post('wallet', '/points/revoke', revoke, 'k-rs-r-again');
    expect((await get('wallet', '/accounts/rs-c1')).body).toMatchObject({ balancePoints: 0, debtPoints: 15 });
    // Points earned later settle the debt first.
    await post(
      'wallet',
      '/points/award',
      { entryId: 'rs-b', customerId: 'rs-c1', orderId: 'rs-o2', points: 20 },
      'k-rs-b',
    );
    expect((await get('wallet', '/accounts/rs-c1')).body).toMatchObject({ balancePoints: 5, debtPoints: 0 });
  });

  it('inventory: returned items go from reserved to available, never more than were reserved', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/RS-1`, { available: 10 });
    await post(
      'inventory',
      '/reservations',
      { reservationId: 'rs-o3', items: [{ sku: 'RS-1', quantity: 3 }] },
      'k-rs-res',
    );
    const back = (returnId: string, quantity: number) =>
      post(
        'inventory',
        '/reservations/rs-o3/returns',
        { returnId, items: [{ sku: 'RS-1', quantity }] },
        `k-${returnId}`,
      );
    expect((await back('rs-ret-1', 2)).status).toBe(201);
    expect((await back('rs-ret-1', 2)).status).toBe(201); // same return id: once
    const tooMany = await back('rs-ret-2', 2);
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.type).toBe('ReturnExceedsReservation');
    expect((await get('inventory', '/stock/RS-1')).body).toMatchObject({ available: 9, reserved: 1 });
    // Releasing the reservation afterwards gives back only what is left.
    await post('inventory', '/reservations/rs-o3/release', {}, 'k-rs-rel');
    expect((await get('inventory', '/stock/RS-1')).body).toMatchObject({ available: 10, reserved: 0 });
  });

  it('inventory: a sold reservation stays sold; returned items go from sold to available, every unit counted', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/RS-2`, { available: 10 });
    const line = (quantity: number) => [{ sku: 'RS-2', quantity }];
    await post('inventory', '/reservations', { reservationId: 'rs-o4', items: line(3) }, 'k-rs4-res');
    const sold = await post('inventory', '/reservations/rs-o4/sell', {}, 'k-rs4-sell');
    expect(sold).toMatchObject({ status: 200, body: { status: 'SOLD', sold: true } });
    const again = await post('inventory', '/reservations/rs-o4/sell', {}, 'k-rs4-sell-again');
    expect(again.body).toMatchObject({ status: 'SOLD', sold: false });
    expect((await get('inventory', '/stock/RS-2')).body).toMatchObject({ available: 7, reserved: 0, sold: 3 });
    // A paid order only goes forward: its sold stock is not released, only returned.
    const released = await post('inventory', '/reservations/rs-o4/release', {}, 'k-rs4-rel');
    expect(released.status).toBe(422);
    expect(released.body.error.type).toBe('ReservationSold');
    const back = (returnId: string, quantity: number) =>
      post('inventory', '/reservations/rs-o4/returns', { returnId, items: line(quantity) }, `k-${returnId}`);
    expect((await back('rs4-ret-1', 2)).status).toBe(201);
    expect((await back('rs4-ret-2', 2)).body.error.type).toBe('ReturnExceedsReservation');
    expect((await get('inventory', '/stock/RS-2')).body).toEqual({
      sku: 'RS-2',
      available: 9,
      reserved: 0,
      frozen: 0,
      sold: 1,
      stocked: 10,
    });
    // Sold after a return: only what is left moves to sold.
    await post('inventory', '/reservations', { reservationId: 'rs-o5', items: line(4) }, 'k-rs5-res');
    await post('inventory', '/reservations/rs-o5/returns', { returnId: 'rs5-ret', items: line(1) }, 'k-rs5-ret');
    await post('inventory', '/reservations/rs-o5/sell', {}, 'k-rs5-sell');
    expect((await get('inventory', '/stock/RS-2')).body).toMatchObject({ available: 6, reserved: 0, sold: 4 });
    const unknown = await post('inventory', '/reservations/rs-none/sell', {}, 'k-rs-none-sell');
    expect(unknown.status).toBe(404);
  });

  it('order: refunds are recorded once each, PARTIALLY_REFUNDED then REFUNDED, never above the card amount', async () => {
    const items = [{ sku: 'RS-2', quantity: 1, unitPriceCents: 5000 }];
    await post('order', '/orders/rs-o4/validate', { customerId: 'rs-c4', currency: 'EUR', items }, 'k-rs-o4');
    await post('order', '/orders/rs-o4/mark-paid', { chargeId: 'ch-rs-o4', amountCents: 5000 }, 'k-rs-o4-paid');
    const refund = (refundId: string, amountCents: number) =>
      post('order', '/orders/rs-o4/refunds', { refundId, amountCents }, `k-${refundId}`);
    expect((await refund('rs-f1', 2000)).body).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedCents: 2000 });
    expect((await refund('rs-f1', 2000)).body).toMatchObject({ refundedCents: 2000 });
    expect((await refund('rs-f2', 3001)).body.error.type).toBe('RefundExceedsCapture');
    expect((await refund('rs-f3', 3000)).body).toMatchObject({ status: 'REFUNDED', refundedCents: 5000 });
  });

  it('payments: a refund reports to its own reference and can be read back', async () => {
    const charge = {
      chargeId: 'ch-rs-5',
      orderId: 'rs-o5',
      amountCents: 1000,
      currency: 'EUR',
      paymentMethod: testPaymentMethods.noCallback,
    };
    await post('payments', '/charges', charge, 'k-ch-rs-5');
    await expect.poll(async () => (await get('payments', '/charges/ch-rs-5')).body.status).toBe('CAPTURED');
    const body = { refundId: 'rf-rs-5', amountCents: 400, reference: 'refund:rf-rs-5' };
    expect((await post('payments', '/charges/ch-rs-5/refunds', body, 'k-rf-rs-5')).body).toMatchObject({
      status: 'PENDING',
    });
    await expect.poll(async () => (await get('payments', '/refunds/rf-rs-5')).body.status).toBe('SUCCEEDED');
    await expect
      .poll(
        async () =>
          (await stack.services.pool.query(`SELECT reference FROM billing.callbacks WHERE charge_id = 'ch-rs-5'`)).rows,
      )
      .toEqual([{ reference: 'refund:rf-rs-5' }]);
  });
});
