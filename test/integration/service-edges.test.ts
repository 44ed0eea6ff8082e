import { describe, expect, it } from 'vitest';
import { serviceNames } from '../../config';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { maxIdLength } from '../../contracts/fields';
import { http } from '../support/services';
import { useServices } from '../support/fixtures';

const stack = useServices();

const post = (service: Parameters<typeof stack.url>[0], path: string, body: unknown, key: string) =>
  http('POST', `${stack.url(service)}${path}`, body, { 'idempotency-key': key });
const count = async (sql: string, params: unknown[]) =>
  Number((await stack.services.pool.query(sql, params)).rows[0].n);
const errorShape = (type: string) => ({ error: { type, message: expect.any(String) } });

describe('every service answers unknown routes in its documented error shape', () => {
  it.each(serviceNames)(
    '%s: 404 NotFound for an unknown path, 405 MethodNotAllowed with Allow for another method',
    async (name) => {
      const unknown = await http('GET', `${stack.url(name)}/no/such/route`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual(errorShape('NotFound'));

      const wrongMethod = await http('PUT', `${stack.url(name)}/health`, {});
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.body).toEqual(errorShape('MethodNotAllowed'));
      expect(wrongMethod.headers.get('allow')).toContain('GET');
    },
  );

  it('405 on a path with parameters names the method it takes', async () => {
    const answer = await http('GET', `${stack.url('order')}/orders/o-edge/validate`);
    expect(answer.status).toBe(405);
    expect(answer.headers.get('allow')).toBe('POST');
  });
});

describe('ids as long as the bound are read back over every route', () => {
  it('GET /orders/:id with a 200-character id is 404, not 414; a longer one is refused', async () => {
    const longest = 'o'.repeat(maxIdLength);
    const answer = await http('GET', `${stack.url('order')}/orders/${longest}`);
    expect(answer.status).toBe(404);
    expect((await http('GET', `${stack.url('order')}/orders/${longest}o`)).status).toBe(400);
  });
});

describe('shipping: one shipment per order, each SKU once', () => {
  const shipments = (orderId: string) =>
    count(`SELECT count(*) AS n FROM shipping.shipments WHERE order_id = $1`, [orderId]);

  it('refuses a second shipment id for the order with 409 ShipmentExists, and keeps that as the key’s answer', async () => {
    const items = [{ sku: 'sku-a', quantity: 1 }];
    const first = await post('shipping', '/shipments', { shipmentId: 'shp-1', orderId: 'o-ship', items }, 'k-shp-1');
    expect(first.status).toBe(201);

    const body = { shipmentId: 'shp-2', orderId: 'o-ship', items };
    const second = await post('shipping', '/shipments', body, 'k-shp-2');
    expect(second.status).toBe(409);
    expect(second.body).toEqual(errorShape('ShipmentExists'));
    expect(second.body.error.message).toContain('shp-1');
    const again = await post('shipping', '/shipments', body, 'k-shp-2'); // the stored answer, not a new one
    expect({ status: again.status, body: again.body }).toEqual({ status: second.status, body: second.body });

    expect(await shipments('o-ship')).toBe(1);
    expect((await http('GET', `${stack.url('shipping')}/shipments/shp-2`)).status).toBe(404);
  });

  it('refuses the same shipment id with other items with 409 ShipmentMismatch, and answers the same one again', async () => {
    const body = { shipmentId: 'shp-3', orderId: 'o-ship-3', items: [{ sku: 'sku-a', quantity: 1 }] };
    const first = await post('shipping', '/shipments', body, 'k-shp-3');
    const again = await post('shipping', '/shipments', body, 'k-shp-3-again');
    expect(again).toMatchObject({ status: 201, body: first.body });
    const other = await post('shipping', '/shipments', { ...body, items: [{ sku: 'sku-a', quantity: 2 }] }, 'k-shp-3b');
    expect(other.status).toBe(409);
    expect(other.body).toEqual(errorShape('ShipmentMismatch'));
  });

  it('refuses a SKU listed twice with 400 naming items, and stores nothing', async () => {
    const items = [
      { sku: 'sku-a', quantity: 1 },
      { sku: 'sku-a', quantity: 2 },
    ];
    const answer = await post('shipping', '/shipments', { shipmentId: 'shp-dup', orderId: 'o-dup', items }, 'k-dup');
    expect(answer.status).toBe(400);
    expect(answer.body.error.fields).toEqual([{ path: 'items', message: 'must not list a SKU twice' }]);
    expect(await shipments('o-dup')).toBe(0);
  });
});

describe('order: another request for an existing order id is 409 OrderMismatch', () => {
  const order = (orderId: string) => ({
    orderId,
    customerId: 'c-mm',
    currency: 'EUR',
    items: [
      { sku: 'sku-a', quantity: 1, unitPriceCents: 300 },
      { sku: 'sku-b', quantity: 1, unitPriceCents: 200 },
    ],
    paymentMethod: testPaymentMethods.success,
  });
  // The same subtotal (500) from other lines.
  const sameTotalOtherItems = [{ sku: 'sku-c', quantity: 1, unitPriceCents: 500 }];
  const stored = async (orderId: string) =>
    (await stack.services.pool.query(`SELECT items FROM "order".orders WHERE order_id = $1`, [orderId])).rows;

  it.each([
    ['other items of the same subtotal', { items: sameTotalOtherItems }],
    ['another card', { paymentMethod: testPaymentMethods.declined }],
    ['another customer', { customerId: 'c-other' }],
    ['a coupon', { couponCode: 'SAVE10' }],
  ])('POST /orders with %s', async (_what, change) => {
    const orderId = `o-mm-${_what.replaceAll(' ', '-')}`;
    const first = await post('order', '/orders', order(orderId), `k-${orderId}`);
    expect(first.status).toBe(201);
    const answer = await post('order', '/orders', { ...order(orderId), ...change }, `k-${orderId}-other`);
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual(errorShape('OrderMismatch'));
    expect(await stored(orderId)).toEqual([{ items: order(orderId).items }]);
    const outbox = `SELECT count(*) AS n FROM "order".outbox WHERE aggregate_id = $1`;
    expect(await count(outbox, [orderId])).toBe(1);
  });

  it('POST /orders with the same body under another key answers the order as before', async () => {
    const first = await post('order', '/orders', order('o-mm-same'), 'k-o-mm-same');
    const again = await post('order', '/orders', order('o-mm-same'), 'k-o-mm-same-2');
    expect(again).toMatchObject({ status: 201, body: first.body });
  });

  it('/orders/:id/validate with other items of the same subtotal, and the same ones', async () => {
    const { orderId, paymentMethod: _token, ...body } = order('o-mm-validate');
    const first = await post('order', `/orders/${orderId}/validate`, body, 'k-validate-1');
    expect(first.status).toBe(200);
    const other = await post(
      'order',
      `/orders/${orderId}/validate`,
      { ...body, items: sameTotalOtherItems },
      'k-validate-2',
    );
    expect(other.status).toBe(409);
    expect(other.body).toEqual(errorShape('OrderMismatch'));
    const same = await post('order', `/orders/${orderId}/validate`, body, 'k-validate-3');
    expect(same).toMatchObject({ status: 200, body: first.body });
  });

  describe('one order has one paying flow', () => {
    it('the first flow claims the order; another is 409 OrderOwnedByFlow naming the owner', async () => {
      const { orderId, paymentMethod: _token, ...body } = order('o-owned');
      const claimed = await post(
        'order',
        `/orders/${orderId}/validate`,
        { ...body, flow: 'checkout:o-owned' },
        'k-own-1',
      );
      expect(claimed.status).toBe(200);
      const again = await post(
        'order',
        `/orders/${orderId}/validate`,
        { ...body, flow: 'checkout:o-owned' },
        'k-own-2',
      );
      expect(again.status).toBe(200); // the owner, retried under another key
      const other = await post('order', `/orders/${orderId}/validate`, { ...body, flow: 'payment:o-owned' }, 'k-own-3');
      expect(other.status).toBe(409);
      expect(other.body).toEqual(errorShape('OrderOwnedByFlow'));
      expect(other.body.error.message).toContain('checkout:o-owned');
      // POST /orders starts a payment saga: for an order a checkout owns it is refused, and no outbox row is written.
      const created = await post('order', '/orders', order('o-owned'), 'k-own-4');
      expect(created.status).toBe(409);
      expect(created.body).toEqual(errorShape('OrderOwnedByFlow'));
      expect(await count(`SELECT count(*) AS n FROM "order".outbox WHERE aggregate_id = $1`, [orderId])).toBe(0);
    });
  });
});
