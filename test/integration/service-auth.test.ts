import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startServices } from '../../apps/services';
import { keepAsOrphans } from '../../apps/services/temporal-delivery';
import { serviceNames } from '../../config';
import { generateServiceTokens } from '../../config/service-tokens';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { useServices } from '../support/fixtures';
import { freshDatabase, http, testServiceTokens, testWebhookSecret } from '../support/services';

const stack = useServices();

const count = async (sql: string) => Number((await stack.services.pool.query(sql)).rows[0].n);
const unauthorized = { error: { type: 'Unauthorized', message: expect.any(String) } };
const wrongToken = { authorization: `Bearer ${'x'.repeat(43)}` };

describe('participant services require a service token', () => {
  it.each(serviceNames)(
    '%s: 401 Unauthorized without a token or with a wrong one; /health stays open',
    async (name) => {
      const none = await http('GET', `${stack.url(name)}/no/such/route`, undefined, { authorization: null });
      expect(none.status).toBe(401);
      expect(none.body).toEqual(unauthorized);
      expect(none.body.error.message).toBe('missing bearer token');
      const wrong = await http('GET', `${stack.url(name)}/no/such/route`, undefined, wrongToken);
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toBe('unknown bearer token');
      expect((await http('GET', `${stack.url(name)}/health`, undefined, { authorization: null })).status).toBe(200);
      expect((await http('GET', `${stack.url(name)}/no/such/route`)).status).toBe(404); // the operator gets through
    },
  );

  // Each POST, sent first without a token and then with a wrong one, must leave its rows as they were.
  const refusedWrites: { name: string; url: () => string; body: unknown; rows: string }[] = [
    {
      name: 'the gateway: POST /charges',
      url: () => `${stack.url('payments')}/charges`,
      body: {
        chargeId: 'auth-c1',
        orderId: 'auth-o1',
        amountCents: 500,
        currency: 'EUR',
        paymentMethod: testPaymentMethods.success,
      },
      rows: 'SELECT (SELECT count(*) FROM payments.charges) + (SELECT count(*) FROM payments.idempotency_keys) AS n',
    },
    {
      name: 'inventory: a TCC try',
      url: () => `${stack.url('inventory')}/tcc/auth-g1/branches/stock/try`,
      body: { items: [{ sku: 'AUTH-1', quantity: 1 }] },
      rows: 'SELECT (SELECT count(*) FROM inventory.tcc_barrier) + (SELECT count(*) FROM inventory.idempotency_keys) AS n',
    },
    {
      name: 'billing: POST /reconciliation/reports',
      url: () => `${stack.url('billing')}/reconciliation/reports`,
      body: {
        reportId: 'auth-r1',
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-01T01:00:00Z',
        findings: [],
        orphanEventIds: [],
        deferredOrderIds: [],
        repaired: [],
      },
      rows: 'SELECT count(*) AS n FROM billing.reconciliation_reports',
    },
  ];
  it.each(refusedWrites)('$name: a refused call changes nothing', async ({ url, body, rows }) => {
    const before = await count(rows);
    for (const auth of [{ authorization: null }, wrongToken]) {
      const answer = await http('POST', url(), body, { 'idempotency-key': 'auth-k1', ...auth });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(unauthorized);
    }
    expect(await count(rows)).toBe(before);
  });

  it('order: mark-paid without a token leaves the order unpaid', async () => {
    const order = {
      orderId: 'auth-o2',
      customerId: 'c-auth',
      currency: 'EUR',
      items: [{ sku: 'AUTH-2', quantity: 1, unitPriceCents: 1500 }],
      paymentMethod: testPaymentMethods.success,
    };
    const created = await http('POST', `${stack.url('order')}/orders`, order, { 'idempotency-key': 'create:auth-o2' });
    expect(created.status).toBe(201);
    const paid = await http(
      'POST',
      `${stack.url('order')}/orders/auth-o2/mark-paid`,
      { amountCents: created.body.subtotalCents },
      { 'idempotency-key': 'auth-o2:mark-paid', authorization: null },
    );
    expect(paid.status).toBe(401);
    const after = (await http('GET', `${stack.url('order')}/orders/auth-o2`)).body;
    expect({ status: after.status, paidAt: after.paidAt }).toEqual({ status: created.body.status, paidAt: null });
  });

  it('the gateway’s signed callbacks reach billing without a service token, and a bad signature is still a 401', async () => {
    const forged = await http(
      'POST',
      `${stack.url('billing')}/callbacks/gateway`,
      { id: 'evt-forged' },
      {
        authorization: null,
        'gateway-signature': 't=1,v1=00',
      },
    );
    expect(forged.status).toBe(401);
    expect(forged.body.error.type).toBe('InvalidSignature');
  });
});

describe('per-service allowed callers, and what is logged', () => {
  it('refuses a known caller the service does not allow, and logs the caller’s name, never a token', async () => {
    const tokens = { ...generateServiceTokens(), allow: { payments: ['worker'] } };
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const db = await freshDatabase();
    const running = await startServices({
      databaseUrl: db.url,
      services: [
        { name: 'payments', host: '127.0.0.1', port: 0 },
        { name: 'inventory', host: '127.0.0.1', port: 0 },
      ],
      logger: pino({ level: 'debug' }, sink),
      links: { gateway: { secret: testWebhookSecret, toleranceSeconds: 300 }, deliver: keepAsOrphans },
      tokens,
    });
    try {
      const as = (caller: 'worker' | 'operator') => ({ authorization: `Bearer ${tokens.callers[caller]}` });
      const charge = (caller: 'worker' | 'operator') =>
        http('GET', `${running.urls.payments}/charges/none`, undefined, as(caller));
      expect((await charge('operator')).status).toBe(401);
      expect((await charge('worker')).status).toBe(404);
      // Another stack's token is no token here.
      const foreign = { authorization: `Bearer ${testServiceTokens.callers.worker}` };
      expect((await http('GET', `${running.urls.inventory}/stock/none`, undefined, foreign)).status).toBe(401);
      expect((await http('GET', `${running.urls.inventory}/stock/none`, undefined, as('operator'))).status).toBe(404);

      const logged = lines.join('');
      const calls = lines.map((l) => JSON.parse(l) as { msg: string; caller?: string }).filter((l) => l.msg === 'call');
      expect(calls.map((l) => l.caller)).toEqual(['worker', 'operator']);
      expect(logged).toContain('call refused');
      for (const token of [...Object.values(tokens.callers), testServiceTokens.callers.worker]) {
        expect(logged).not.toContain(token);
      }
    } finally {
      await running.close();
      await db.drop();
    }
  });
});
