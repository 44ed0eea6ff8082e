import { describe, expect, it } from 'vitest';
import { startPayment, ValidationError } from '../../client';
import { cardNumberRefusal } from '../../contracts/fields';
import { testCards, testPaymentMethods } from '../../simulators/gateway/cards';
import { anOrder, shop } from '../support/shop';
import { http } from '../support/services';
import { uniqueTaskQueue, withWorker } from '../support/temporal';
import { useStack } from '../support/fixtures';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const post = (service: Parameters<typeof stack.url>[0], path: string, body: unknown, key?: string) =>
  http('POST', `${stack.url(service)}${path}`, body, key === undefined ? {} : { 'idempotency-key': key });
const nextYear = new Date().getUTCFullYear() + 1;
/** A Mastercard test number that is none of the simulator's test cards: it behaves like `success`. */
const otherCard = '5555555555554444';
const rowsContaining = async (sql: string, text: string) =>
  (await stack.services.pool.query<{ row: string }>(sql)).rows.filter((r) => r.row.includes(text));

describe('the gateway vault: a card in, a token out', () => {
  it('answers a random pm_ token and the non-secret facts, and keeps no card number', async () => {
    const answer = await post('payments', '/payment-methods', { number: otherCard, expMonth: 4, expYear: nextYear });
    expect(answer.status).toBe(201);
    const body = answer.body as Record<string, unknown>;
    expect(body).toEqual({
      paymentMethod: expect.stringMatching(/^pm_[0-9a-f]{24}$/),
      brand: 'mastercard',
      last4: '4444',
      expMonth: 4,
      expYear: nextYear,
    });
    const again = await post('payments', '/payment-methods', { number: otherCard, expMonth: 4, expYear: nextYear });
    expect((again.body as Record<string, unknown>).paymentMethod).not.toBe(body.paymentMethod);
    const stored = await rowsContaining('SELECT row_to_json(p)::text AS row FROM payments.payment_methods p', '4444');
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(stored.filter((r) => r.row.includes(otherCard))).toEqual([]);
  });

  it.each(Object.keys(testCards) as (keyof typeof testCards)[])(
    'test card %s answers its fixed token',
    async (behaviour) => {
      const card = { number: testCards[behaviour], expMonth: 12, expYear: nextYear };
      const answer = await post('payments', '/payment-methods', card);
      expect(answer.body).toMatchObject({ paymentMethod: testPaymentMethods[behaviour], brand: 'visa' });
    },
  );

  it.each([
    ['a number failing the Luhn check', { number: '4242424242424241', expMonth: 1, expYear: nextYear }, 'number'],
    ['an expired card', { number: otherCard, expMonth: 1, expYear: 2001 }, 'expYear'],
    ['month 13', { number: otherCard, expMonth: 13, expYear: nextYear }, 'expMonth'],
  ])('refuses %s with a 400 naming the field', async (_what, card, field) => {
    const answer = await post('payments', '/payment-methods', card);
    expect(answer.status).toBe(400);
    const fields = (answer.body as { error: { fields: { path: string }[] } }).error.fields;
    expect(fields.map((f) => f.path)).toContain(field);
  });

  it('charges a vaulted token with its card last four, and refuses a token it never issued', async () => {
    const method = await post('payments', '/payment-methods', { number: otherCard, expMonth: 6, expYear: nextYear });
    const paymentMethod = (method.body as { paymentMethod: string }).paymentMethod;
    const charge = { orderId: 'o-pm-1', amountCents: 1200, currency: 'EUR', paymentMethod };
    const made = await post('payments', '/charges', { ...charge, chargeId: 'ch-pm-1' }, 'k-pm-1');
    expect(made).toMatchObject({ status: 201, body: { cardLast4: '4444', status: 'PENDING' } });
    const unknown = { ...charge, orderId: 'o-pm-2', paymentMethod: 'pm_000000000000000000000000' };
    const refused = await post('payments', '/charges', { ...unknown, chargeId: 'ch-pm-2' }, 'k-pm-2');
    expect(refused).toMatchObject({ status: 422, body: { error: { type: 'UnknownPaymentMethod' } } });
    expect(await db.chargesOf('o-pm-2')).toEqual([]);
  });
});

describe('a card number at any other edge is refused, naming the field, and nothing is stored', () => {
  const fieldsOf = (body: unknown) => (body as { error: { fields: { path: string; message: string }[] } }).error.fields;

  it.each([
    ['as the payment method', { paymentMethod: testCards.success }, 'paymentMethod'],
    ['in the old card field', { paymentMethod: undefined, card: { number: testCards.success } }, 'card.number'],
    ['with spaces, in another field', { customerId: '4242 4242 4242 4242' }, 'customerId'],
  ])('POST /orders with a card number %s', async (_what, change, field) => {
    const orderId = `o-card-${field.replace('.', '-')}`;
    const answer = await post('order', '/orders', { ...anOrder(orderId, ['C-a', 'C-b']), ...change }, `k-${orderId}`);
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toContainEqual({ path: field, message: cardNumberRefusal });
    const { rows } = await stack.services.pool.query(
      `SELECT 1 FROM "order".orders WHERE order_id = $1 UNION ALL SELECT 1 FROM "order".outbox WHERE aggregate_id = $1`,
      [orderId],
    );
    expect(rows).toEqual([]);
  });

  it('POST /charges with a card number instead of a token', async () => {
    const charge = { chargeId: 'ch-card', orderId: 'o-card', amountCents: 100, currency: 'EUR' };
    const answer = await post('payments', '/charges', { ...charge, cardNumber: testCards.declined }, 'k-ch-card');
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer.body)).toContainEqual({ path: 'cardNumber', message: cardNumberRefusal });
    expect(await db.chargesOf('o-card')).toEqual([]);
  });

  it('the client refuses a card number before starting anything', async () => {
    const input = anOrder('o-card-client', ['C-a', 'C-b'], { paymentMethod: testCards.success });
    const err = await startPayment(stack.client, input, { taskQueue: 'unused' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields).toEqual([{ path: 'paymentMethod', message: cardNumberRefusal }]);
    expect((err as Error).message).not.toContain(testCards.success);
    await expect(stack.client.workflow.getHandle('payment:o-card-client').describe()).rejects.toThrow(/not found/i);
  });
});

describe('flows charge tokens', () => {
  it('a payment saga paid with a vaulted token captures one charge of its last four', async () => {
    await db.stock('PM-a', 5);
    await db.stock('PM-b', 5);
    const method = await post('payments', '/payment-methods', { number: otherCard, expMonth: 6, expYear: nextYear });
    const { paymentMethod } = method.body as { paymentMethod: string };
    const taskQueue = uniqueTaskQueue('int-pm');
    const result = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      async () =>
        (
          await startPayment(stack.client, anOrder('pm-1', ['PM-a', 'PM-b'], { paymentMethod }), { taskQueue })
        ).result(),
    );
    expect(result).toMatchObject({ status: 'PAID', amountCents: 5000 });
    const { rows } = await stack.services.pool.query(
      'SELECT status, card_last4 AS "last4", payment_method AS "paymentMethod" FROM payments.charges WHERE order_id = $1',
      ['pm-1'],
    );
    expect(rows).toEqual([{ status: 'CAPTURED', last4: '4444', paymentMethod }]);
  });

  it('a run started before tokens (its card in the input) has the activity vault the card, then charge it', async () => {
    const charge = await stack.activities.chargeCard({
      chargeId: 'ch-legacy',
      orderId: 'o-legacy',
      amountCents: 700,
      currency: 'EUR',
      cardNumber: testCards.declined,
      idempotencyKey: 'payment:o-legacy:charge-card',
    });
    expect(charge).toMatchObject({ cardLast4: '0002', status: 'PENDING' });
    const { rows } = await stack.services.pool.query<{ payment_method: string }>(
      'SELECT payment_method FROM payments.charges WHERE charge_id = $1',
      ['ch-legacy'],
    );
    expect(rows).toEqual([{ payment_method: testPaymentMethods.declined }]);
  });
});
