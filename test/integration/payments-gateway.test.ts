import { describe, expect, it } from 'vitest';
import { testCards } from '../../services/payments/cards';
import { useServices } from '../support/fixtures';
import { http } from '../support/services';

const stack = useServices();
const charge = (chargeId: string, orderId: string, amountCents: number, key: string) =>
  http(
    'POST',
    `${stack.url('payments')}/charges`,
    { chargeId, orderId, amountCents, currency: 'EUR', cardNumber: testCards.success },
    { 'idempotency-key': key },
  );
const get = (path: string) => http('GET', `${stack.url('payments')}${path}`);

describe('payments gateway: status by idempotency key and statements', () => {
  it('tells a caller who lost the response what became of its call', async () => {
    await charge('gw-ch-1', 'gw-o-1', 1200, 'payment:gw-o-1:charge-card');
    const status = await get(`/charges?idempotencyKey=${encodeURIComponent('payment:gw-o-1:charge-card')}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ chargeId: 'gw-ch-1', status: 'CAPTURED', amountCents: 1200 });
    expect((await get('/charges?idempotencyKey=never-sent')).status).toBe(404);
  });

  it('lists the settled charges and refunds of a window, each by its own time', async () => {
    const from = new Date().toISOString();
    await charge('gw-ch-2', 'gw-o-2', 1000, 'k-gw-2');
    await http('POST', `${stack.url('payments')}/charges/gw-ch-2/refund`, {}, { 'idempotency-key': 'k-gw-2-refund' });
    await charge('gw-ch-3', 'gw-o-3', 3000, 'k-gw-3');
    const to = new Date(Date.now() + 1000).toISOString();
    const { body } = await get(`/statements?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const mine = body.entries.filter((e: { orderId: string }) => ['gw-o-2', 'gw-o-3'].includes(e.orderId));
    expect(
      mine.map((e: { type: string; chargeId: string; amountCents: number }) => [e.type, e.chargeId, e.amountCents]),
    ).toEqual([
      ['charge', 'gw-ch-2', 1000],
      ['refund', 'gw-ch-2', 1000],
      ['charge', 'gw-ch-3', 3000],
    ]);
    const before = await get(`/statements?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`);
    expect(before.body.entries).toEqual([]);
  });

  it('refuses a window that ends before it starts, naming the field', async () => {
    const bad = await get('/statements?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'from', message: 'from must be before to' }]);
  });
});
