import { describe, expect, it } from 'vitest';
import { http } from '../support/services';
import { useServices } from '../support/fixtures';

const stack = useServices();
const base = () => stack.url('inventory');

const stock = async (sku: string) =>
  (await http('GET', `${base()}/stock/${sku}`)).body as { available: number; reserved: number };
const reserve = (key: string, body: unknown) =>
  http('POST', `${base()}/reservations`, body, { 'idempotency-key': key });
const release = (key: string, id: string) =>
  http('POST', `${base()}/reservations/${id}/release`, undefined, { 'idempotency-key': key });

describe('inventory service on real PostgreSQL', () => {
  it('reserves once per idempotency key and answers a repeat with the first response', async () => {
    await http('PUT', `${base()}/stock/IS-1`, { available: 10 });
    const body = { reservationId: 'is-r1', items: [{ sku: 'IS-1', quantity: 3 }] };
    const first = await reserve('k-is-1', body);
    const again = await reserve('k-is-1', body);
    expect(first.status).toBe(201);
    expect(again).toEqual(first);
    expect(await stock('IS-1')).toMatchObject({ available: 7, reserved: 3 });
  });

  it('refuses the same key with another body with 409 and changes nothing', async () => {
    await http('PUT', `${base()}/stock/IS-2`, { available: 5 });
    await reserve('k-is-2', { reservationId: 'is-r2', items: [{ sku: 'IS-2', quantity: 1 }] });
    const clash = await reserve('k-is-2', { reservationId: 'is-r2', items: [{ sku: 'IS-2', quantity: 4 }] });
    expect(clash.status).toBe(409);
    expect(clash.body.error.type).toBe('IdempotencyKeyReused');
    expect(await stock('IS-2')).toMatchObject({ available: 4, reserved: 1 });
  });

  it('is all or nothing: one short line leaves every SKU as it was', async () => {
    await http('PUT', `${base()}/stock/IS-3a`, { available: 5 });
    await http('PUT', `${base()}/stock/IS-3b`, { available: 1 });
    const refused = await reserve('k-is-3', {
      reservationId: 'is-r3',
      items: [
        { sku: 'IS-3a', quantity: 2 },
        { sku: 'IS-3b', quantity: 2 },
      ],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.type).toBe('OutOfStock');
    expect(await stock('IS-3a')).toMatchObject({ available: 5, reserved: 0 });
    expect(await stock('IS-3b')).toMatchObject({ available: 1, reserved: 0 });
  });

  it('releases once, and a release of a reservation that never happened succeeds and blocks a late reserve', async () => {
    await http('PUT', `${base()}/stock/IS-4`, { available: 3 });
    await reserve('k-is-4', { reservationId: 'is-r4', items: [{ sku: 'IS-4', quantity: 2 }] });
    expect((await release('k-is-4-rel', 'is-r4')).body).toMatchObject({ status: 'RELEASED', returned: true });
    expect((await release('k-is-4-rel-again', 'is-r4')).body).toMatchObject({ status: 'RELEASED', returned: false });
    expect(await stock('IS-4')).toMatchObject({ available: 3, reserved: 0 });

    const empty = await release('k-is-5-rel', 'is-r5');
    expect(empty.status).toBe(200);
    expect(empty.body).toMatchObject({ status: 'RELEASED', returned: false, items: [] });
    const late = await reserve('k-is-5', { reservationId: 'is-r5', items: [{ sku: 'IS-4', quantity: 1 }] });
    expect(late.status).toBe(422);
    expect(late.body.error.type).toBe('ReservationReleased');
    expect(await stock('IS-4')).toMatchObject({ available: 3, reserved: 0 });
  });

  it('answers bad input with 400 naming each field', async () => {
    const bad = await reserve('k-is-6', { reservationId: '', items: [{ sku: 'IS 6', quantity: 0 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path)).toEqual([
      'reservationId',
      'items.0.sku',
      'items.0.quantity',
    ]);
    // The wire body every service answers: type, the fields joined as the message, and the fields.
    expect(Object.keys(bad.body as object)).toEqual(['error']);
    expect(bad.body.error).toEqual({
      type: 'InvalidRequest',
      message: bad.body.error.fields
        .map((f: { path: string; message: string }) => `${f.path}: ${f.message}`)
        .join('; '),
      fields: bad.body.error.fields,
    });
    const badParam = await release('k-is-6-rel', 'not an id');
    expect(badParam.status).toBe(400);
    expect(badParam.body.error).toMatchObject({ type: 'InvalidRequest', fields: [{ path: '(body)' }] });
    const noKey = await http('POST', `${base()}/reservations`, {
      reservationId: 'x',
      items: [{ sku: 'A', quantity: 1 }],
    });
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.fields[0].path).toBe('Idempotency-Key');
  });

  it('serves concurrent duplicates of one request exactly once', async () => {
    await http('PUT', `${base()}/stock/IS-7`, { available: 100 });
    const body = { reservationId: 'is-r7', items: [{ sku: 'IS-7', quantity: 5 }] };
    const answers = await Promise.all(Array.from({ length: 8 }, () => reserve('k-is-7', body)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(await stock('IS-7')).toMatchObject({ available: 95, reserved: 5 });
  });
});
