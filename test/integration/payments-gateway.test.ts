import { describe, expect, it } from 'vitest';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { signCallback, signatureHeader } from '../../services/shared/signature';
import { useServices } from '../support/fixtures';
import { http, operatorAuth, testGatewayTimings, testWebhookSecret } from '../support/services';

// The gateway and the billing receiver without Temporal: every accepted callback is stored as an
// orphan, which lets these tests see exactly what the gateway sent.
const stack = useServices();
const payments = (path: string) => `${stack.url('payments')}${path}`;
const charge = (chargeId: string, card: string, amountCents = 1000, key = `k-${chargeId}`) =>
  http(
    'POST',
    payments('/charges'),
    { chargeId, orderId: `o-${chargeId}`, amountCents, currency: 'EUR', paymentMethod: card },
    { 'idempotency-key': key },
  );
const statusOf = async (chargeId: string) => (await http('GET', payments(`/charges/${chargeId}`))).body;
const settled = (chargeId: string) =>
  expect.poll(async () => (await statusOf(chargeId)).status, { timeout: 10_000, interval: 50 });
const callbacksOf = async (chargeId: string) =>
  (
    await stack.services.pool.query(
      `SELECT type, sequence, copies, delivery FROM billing.callbacks WHERE charge_id = $1 ORDER BY received_at`,
      [chargeId],
    )
  ).rows as { type: string; sequence: number; copies: number; delivery: string }[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('payments gateway simulator: asynchronous charges and signed callbacks', () => {
  it('answers PENDING, settles CAPTURED, and sends one signed callback that the receiver accepts', async () => {
    const created = await charge('gw-ok', testPaymentMethods.success);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'PENDING', sequence: 1, reference: 'payment:o-gw-ok' });
    await settled('gw-ok').toBe('CAPTURED');
    await expect
      .poll(() => callbacksOf('gw-ok'))
      .toEqual([{ type: 'charge.succeeded', sequence: 2, copies: 1, delivery: 'workflow-not-found' }]);
  });

  it('declines by callback: FAILED with the reason, and charge.failed', async () => {
    await charge('gw-dec', testPaymentMethods.declined);
    await settled('gw-dec').toBe('FAILED');
    expect(await statusOf('gw-dec')).toMatchObject({ failureCode: 'CardDeclined' });
    await expect.poll(() => callbacksOf('gw-dec')).toMatchObject([{ type: 'charge.failed' }]);
  });

  it('sends a delayed callback only after its delay', async () => {
    const started = Date.now();
    await charge('gw-delay', testPaymentMethods.delayedCallback);
    await settled('gw-delay').toBe('CAPTURED');
    expect(await callbacksOf('gw-delay')).toEqual([]);
    await expect.poll(() => callbacksOf('gw-delay'), { timeout: 10_000 }).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(testGatewayTimings.callbackDelayMs);
  });

  it('sends one callback five times: the receiver stores it once and counts the copies', async () => {
    await charge('gw-dup', testPaymentMethods.duplicateCallbacks);
    await expect
      .poll(() => callbacksOf('gw-dup'), { timeout: 10_000 })
      .toEqual([{ type: 'charge.succeeded', sequence: 2, copies: 5, delivery: 'workflow-not-found' }]);
  });

  it('sends the newer event before the older one when out of order', async () => {
    await charge('gw-ooo', testPaymentMethods.outOfOrder);
    await expect.poll(() => callbacksOf('gw-ooo'), { timeout: 10_000 }).toHaveLength(2);
    expect((await callbacksOf('gw-ooo')).map((c) => [c.type, c.sequence])).toEqual([
      ['charge.succeeded', 2],
      ['charge.processing', 1],
    ]);
  });

  it('never sends a callback for a noCallback card; the status query and the key lookup know', async () => {
    await charge('gw-silent', testPaymentMethods.noCallback, 1000, 'payment:o-gw-silent:charge-card');
    await settled('gw-silent').toBe('CAPTURED');
    await sleep(500);
    expect(await callbacksOf('gw-silent')).toEqual([]);
    const byKey = await http(
      'GET',
      payments(`/charges?idempotencyKey=${encodeURIComponent('payment:o-gw-silent:charge-card')}`),
    );
    expect(byKey.body).toMatchObject({ chargeId: 'gw-silent', status: 'CAPTURED' });
    expect((await http('GET', payments('/charges?idempotencyKey=never-sent'))).status).toBe(404);
  });

  it('drops the first create of a createTimeout card unprocessed; the retry with the same key charges once', async () => {
    const body = {
      chargeId: 'gw-hang',
      orderId: 'o-gw-hang',
      amountCents: 700,
      currency: 'EUR',
      paymentMethod: testPaymentMethods.createTimeout,
    };
    const first = await fetch(payments('/charges'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k-gw-hang', ...operatorAuth },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(500),
    }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Error);
    expect((await http('GET', payments('/charges/gw-hang'))).status).toBe(404);
    const retry = await http('POST', payments('/charges'), body, { 'idempotency-key': 'k-gw-hang' });
    expect(retry.body).toMatchObject({ chargeId: 'gw-hang', status: 'PENDING' });
    await settled('gw-hang').toBe('CAPTURED');
  });

  it('makes the charge of a responseLost card but cuts the answer off; the retry gets the same charge', async () => {
    const lost = await charge('gw-lost', testPaymentMethods.responseLost).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    const retry = await charge('gw-lost', testPaymentMethods.responseLost);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ chargeId: 'gw-lost' });
    const rows = await stack.services.pool.query(`SELECT 1 FROM payments.charges WHERE order_id = 'o-gw-lost'`);
    expect(rows.rowCount).toBe(1);
  });

  it('cannot void a lateSuccess charge while pending; once captured, undoing it refunds it in full', async () => {
    await charge('gw-late', testPaymentMethods.lateSuccess, 2500);
    const undo = await http('POST', payments('/charges/gw-late/refund'), {}, { 'idempotency-key': 'k-gw-late-undo-1' });
    expect(undo.body).toMatchObject({ status: 'PENDING', voidable: false });
    await settled('gw-late').toBe('CAPTURED');
    const again = await http(
      'POST',
      payments('/charges/gw-late/refund'),
      {},
      { 'idempotency-key': 'k-gw-late-undo-2' },
    );
    expect(again.body).toMatchObject({ status: 'CAPTURED' });
    await settled('gw-late').toBe('REFUNDED');
    expect(await statusOf('gw-late')).toMatchObject({ refundedCents: 2500 });
    await expect
      .poll(() => callbacksOf('gw-late'))
      .toMatchObject([{ type: 'charge.succeeded' }, { type: 'refund.succeeded', sequence: 3 }]);
  });

  it('refunds in parts, and two parallel refunds that together exceed the capture: one wins, one is refused', async () => {
    await charge('gw-ref', testPaymentMethods.noCallback, 1000);
    await settled('gw-ref').toBe('CAPTURED');
    const refund = (refundId: string, amountCents: number) =>
      http(
        'POST',
        payments('/charges/gw-ref/refunds'),
        { refundId, amountCents },
        { 'idempotency-key': `k-${refundId}` },
      );
    expect((await refund('gw-ref-1', 300)).status).toBe(201);
    const [a, b] = await Promise.all([refund('gw-ref-2', 600), refund('gw-ref-3', 600)]);
    expect([a.status, b.status].sort()).toEqual([201, 422]);
    expect([a, b].find((r) => r.status === 422)!.body.error.type).toBe('RefundExceedsCapture');
    await expect.poll(async () => (await statusOf('gw-ref')).refundedCents).toBe(900);
    expect((await statusOf('gw-ref')).status).toBe('CAPTURED');
  });

  it('lists settled captures and refunds of a window, each by its own time', async () => {
    const from = new Date().toISOString();
    await charge('gw-st-1', testPaymentMethods.noCallback, 1000);
    await charge('gw-st-2', testPaymentMethods.noCallback, 3000);
    await settled('gw-st-1').toBe('CAPTURED');
    await http('POST', payments('/charges/gw-st-1/refund'), {}, { 'idempotency-key': 'k-gw-st-1-undo' });
    await settled('gw-st-1').toBe('REFUNDED');
    await settled('gw-st-2').toBe('CAPTURED');
    const to = new Date(Date.now() + 1000).toISOString();
    const { body } = await http(
      'GET',
      payments(`/statements?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`),
    );
    const mine = body.entries.filter((e: { chargeId: string }) => e.chargeId.startsWith('gw-st-'));
    expect(
      mine.map((e: { type: string; chargeId: string; amountCents: number }) => [e.type, e.chargeId, e.amountCents]),
    ).toEqual(
      expect.arrayContaining([
        ['charge', 'gw-st-1', 1000],
        ['charge', 'gw-st-2', 3000],
        ['refund', 'gw-st-1', 1000],
      ]),
    );
    expect(mine).toHaveLength(3);
    const before = await http('GET', payments('/statements?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z'));
    expect(before.body.entries).toEqual([]);
  });

  it('refuses a window that ends before it starts, naming the field', async () => {
    const bad = await http('GET', payments('/statements?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'from', message: 'from must be before to' }]);
  });
});

describe('callback receiver: signature, timestamp window, duplicates', () => {
  const event = (eventId: string) => ({
    eventId,
    type: 'charge.succeeded',
    chargeId: 'rcv-ch',
    orderId: 'rcv-o',
    reference: 'payment:rcv-o',
    sequence: 2,
    status: 'CAPTURED',
    amountCents: 100,
    refundedCents: 0,
    occurredAt: new Date().toISOString(),
  });
  const deliver = (body: string, signature: string) =>
    fetch(`${stack.url('billing')}/callbacks/gateway`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [signatureHeader]: signature },
      body,
    });
  const stored = async (eventId: string) =>
    (await stack.services.pool.query('SELECT copies FROM billing.callbacks WHERE event_id = $1', [eventId])).rows;

  it('rejects a forged signature with 401 and stores nothing', async () => {
    const body = JSON.stringify(event('evt_forged'));
    const response = await deliver(body, signCallback('not-the-shared-secret', body));
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).error.type).toBe('InvalidSignature');
    expect(await stored('evt_forged')).toEqual([]);
  });

  it('rejects a body changed after signing, a missing header and a stale timestamp, storing nothing', async () => {
    const body = JSON.stringify(event('evt_tampered'));
    const tampered = body.replace('"amountCents":100', '"amountCents":1');
    expect((await deliver(tampered, signCallback(testWebhookSecret, body))).status).toBe(401);
    expect((await deliver(body, '')).status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 600;
    expect((await deliver(body, signCallback(testWebhookSecret, body, old))).status).toBe(401);
    expect(await stored('evt_tampered')).toEqual([]);
  });

  it('answers a signed but malformed event with 400 naming the field', async () => {
    const body = JSON.stringify({ ...event('evt_bad'), sequence: 0 });
    const response = await deliver(body, signCallback(testWebhookSecret, body));
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.fields).toEqual([{ path: 'sequence', message: expect.any(String) }]);
  });

  it('stores five concurrent copies of one event once', async () => {
    const body = JSON.stringify(event('evt_five'));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => deliver(body, signCallback(testWebhookSecret, body)).then((r) => r.status)),
    );
    expect(answers).toEqual([200, 200, 200, 200, 200]);
    expect(await stored('evt_five')).toEqual([{ copies: 5 }]);
  });
});
