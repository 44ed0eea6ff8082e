import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporalDelivery } from '../../apps/services/temporal-delivery';
import { createLogger } from '../../config/logger';
import { buildBillingApp } from '../../services/billing/app';
import { startPayment } from '../../client';
import type { GatewayEvent } from '../../contracts/gateway';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { signCallback, signatureHeader } from '../../services/shared/signature';
import { paymentStatusQuery, sagaStateQuery, type paymentSaga, type PaymentSagaOptions } from '../../workflows';
import { useStack } from '../support/fixtures';
import { chargeSucceeded } from '../support/gateway-events';
import { operatorAuth, testWebhookSecret } from '../support/services';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

// Roomy enough that a loaded machine still reaches the charge step before the short unpaid
// deadlines below: the late capture 15 s after its create, the hanging create 8 s.
const stack = useStack({ gatewayTimings: { lateMs: 15_000, hangMs: 8000 } });
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
type Handle = WorkflowHandle<typeof paymentSaga>;

/** Runs one order's saga with an in-process worker and the real activities; never throws. */
async function pay(
  orderId: string,
  card: string,
  payment: PaymentSagaOptions['payment'] = {},
  during?: (handle: Handle) => Promise<void>,
) {
  await db.stock(`${orderId}-a`, 10);
  await db.stock(`${orderId}-b`, 10);
  const input = anOrder(orderId, [`${orderId}-a`, `${orderId}-b`], { paymentMethod: card });
  const taskQueue = uniqueTaskQueue('int-channel');
  return withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
    const handle = await startPayment(stack.client, input, { taskQueue, sagaOptions: { payment } });
    await during?.(handle);
    const error = await handle.result().then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: Error },
    );
    // A query that races a callback arriving as the run completes can time out once: ask again.
    const ask = async <T>(q: () => Promise<T>): Promise<T> => q().catch(() => q());
    const state = await ask(() => handle.query(sagaStateQuery));
    const channel = await ask(() => handle.query(paymentStatusQuery));
    return { error, state, channel };
  });
}
const callbacksOf = async (orderId: string) =>
  (
    await stack.services.pool.query(
      `SELECT type, copies, delivery FROM billing.callbacks WHERE order_id = $1 ORDER BY received_at`,
      [orderId],
    )
  ).rows as { type: string; copies: number; delivery: string }[];
const capturedOnce = async (orderId: string) => {
  expect(await db.chargesOf(orderId)).toEqual([
    { chargeId: `charge:${orderId}`, amountCents: 5000, status: 'CAPTURED' },
  ]);
  expect(await db.orderOf(orderId)).toMatchObject({ status: 'PAID', chargeId: `charge:${orderId}` });
};
const sendCallback = (event: GatewayEvent, secret = testWebhookSecret, billingUrl = stack.url('billing')) => {
  const body = JSON.stringify(event);
  return fetch(`${billingUrl}/callbacks/gateway`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [signatureHeader]: signCallback(secret, body) },
    body,
  });
};
const succeeded = (orderId: string, eventId: string) => chargeSucceeded(orderId, { eventId });

describe('payment saga against every gateway behaviour (real dev server, services, receiver)', () => {
  it('success: the signed callback reaches the saga, which pays the order', async () => {
    const { error, channel } = await pay('pc-ok', testPaymentMethods.success);
    expect(error).toBeUndefined();
    await capturedOnce('pc-ok');
    expect(channel.transitions.at(-1)).toMatchObject({ from: 'PENDING', to: 'CAPTURED', source: 'callback' });
    // The receiver records the delivery after the signal returns: the saga may have finished first.
    await expect
      .poll(() => callbacksOf('pc-ok'))
      .toEqual([{ type: 'charge.succeeded', copies: 1, delivery: 'signalled' }]);
  });

  it('delayed callback: the saga keeps waiting for it instead of giving up', async () => {
    const { error, channel } = await pay('pc-delay', testPaymentMethods.delayedCallback, {
      callbackTimeout: '20 seconds',
    });
    expect(error).toBeUndefined();
    await capturedOnce('pc-delay');
    expect(channel.polls).toBe(0);
    expect(channel.transitions.at(-1)).toMatchObject({ to: 'CAPTURED', source: 'callback' });
  });

  it('five copies of the callback: stored once, one transition', async () => {
    const { error, channel } = await pay('pc-dup', testPaymentMethods.duplicateCallbacks);
    expect(error).toBeUndefined();
    await expect
      .poll(() => callbacksOf('pc-dup'))
      .toEqual([{ type: 'charge.succeeded', copies: 5, delivery: 'signalled' }]);
    expect(channel.transitions.filter((t) => t.to === 'CAPTURED')).toHaveLength(1);
    await capturedOnce('pc-dup');
  });

  it('callbacks out of order: the older event never takes the charge back to pending', async () => {
    const { error, channel } = await pay('pc-ooo', testPaymentMethods.outOfOrder);
    expect(error).toBeUndefined();
    // Both stored and delivered (a callback is stored first, then delivered outside the transaction).
    await expect.poll(async () => (await callbacksOf('pc-ooo')).filter((c) => c.delivery !== null)).toHaveLength(2);
    const late = (await callbacksOf('pc-ooo')).find((c) => c.type === 'charge.processing')!;
    // Either the saga saw it and ignored it as stale, or it had already finished and it is kept.
    if (late.delivery === 'signalled') expect(channel.ignored).toMatchObject([{ reason: 'stale' }]);
    else expect(late.delivery).toBe('workflow-closed');
    // Under load the success callback can beat the create's answer, which is then older and ignored:
    // either way the charge ends CAPTURED and never goes back to PENDING.
    const states = channel.transitions.map((t) => t.to);
    expect([['PENDING', 'CAPTURED'], ['CAPTURED']]).toContainEqual(states);
    await capturedOnce('pc-ooo');
  });

  it('callback never sent: polling the status finds the capture', async () => {
    const { error, channel } = await pay('pc-silent', testPaymentMethods.noCallback, {
      callbackTimeout: '500 ms',
      poll: { initial: '200 ms', max: '1 second' },
    });
    expect(error).toBeUndefined();
    expect(channel.polls).toBeGreaterThanOrEqual(1);
    expect(channel.transitions.at(-1)).toMatchObject({ from: 'PENDING', to: 'CAPTURED', source: 'poll' });
    expect(await callbacksOf('pc-silent')).toEqual([]);
    await capturedOnce('pc-silent');
  });

  it('create call times out: the activity retries with the same key and charges once', async () => {
    const { error, state } = await pay('pc-hang', testPaymentMethods.createTimeout);
    expect(error).toBeUndefined();
    expect(state.steps.find((s) => s.name === 'charge-card')).toMatchObject({ status: 'done' });
    await capturedOnce('pc-hang');
  });

  it('response lost after the charge was made: the retry gets the same charge, charged once', async () => {
    const { error } = await pay('pc-lost', testPaymentMethods.responseLost);
    expect(error).toBeUndefined();
    await capturedOnce('pc-lost');
  });

  it('success after the unpaid deadline: the order is cancelled, stock released, and the late capture refunded', async () => {
    const { error, state } = await pay('pc-late', testPaymentMethods.lateSuccess, {
      unpaidDeadline: '5 seconds',
      callbackTimeout: '10 seconds',
    });
    expect(error?.cause?.message).toMatch(/failed at charge-card: UnpaidDeadline/);
    expect(state.steps.find((s) => s.name === 'charge-card')).toMatchObject({ status: 'compensated' });
    expect(await db.orderOf('pc-late')).toMatchObject({ status: 'CANCELLED' });
    expect(await db.stockOf('pc-late-a')).toEqual({ available: 10, reserved: 0, sold: 0 });
    await expect
      .poll(() => db.chargesOf('pc-late'), { timeout: 10_000 })
      .toEqual([{ chargeId: 'charge:pc-late', amountCents: 5000, status: 'REFUNDED' }]);
  });

  it('unpaid deadline while the create call hangs: the charge is voided first, so it can never be captured', async () => {
    // Within the first call's 4 s request timeout: the deadline passes while the create hangs.
    const { error } = await pay('pc-void', testPaymentMethods.createTimeout, { unpaidDeadline: '3 seconds' });
    expect(error?.cause?.message).toMatch(/UnpaidDeadline/);
    expect(await db.orderOf('pc-void')).toMatchObject({ status: 'CANCELLED' });
    // Past the hang and any retry of the create: still nothing captured.
    await new Promise((r) => setTimeout(r, 9000));
    expect((await db.chargesOf('pc-void')).filter((c) => c.status === 'CAPTURED')).toEqual([]);
    expect(await db.stockOf('pc-void-a')).toEqual({ available: 10, reserved: 0, sold: 0 });
  });

  it('a forged callback is refused and changes nothing; the genuine one then pays the order', async () => {
    const { error, channel } = await pay(
      'pc-forged',
      testPaymentMethods.noCallback,
      { callbackTimeout: '1 minute' },
      async (handle) => {
        await expect
          .poll(async () => (await handle.query(paymentStatusQuery)).charges, { timeout: 15_000 })
          .toHaveLength(1);
        const forged = await sendCallback(succeeded('pc-forged', 'evt_pc_forged'), 'an-attacker-secret');
        expect(forged.status).toBe(401);
        expect((await handle.query(paymentStatusQuery)).transitions.map((t) => t.to)).toEqual(['PENDING']);
        expect(await callbacksOf('pc-forged')).toEqual([]);
        expect((await sendCallback(succeeded('pc-forged', 'evt_pc_genuine'))).status).toBe(200);
      },
    );
    expect(error).toBeUndefined();
    expect(channel.polls).toBe(0);
    await capturedOnce('pc-forged');
  });

  it('a callback for a workflow that is closed or unknown is stored for reconciliation, never dropped', async () => {
    await pay('pc-closed', testPaymentMethods.noCallback, {
      callbackTimeout: '200 ms',
      poll: { initial: '100 ms', max: '1 second' },
    });
    expect((await sendCallback(succeeded('pc-closed', 'evt_pc_closed'))).status).toBe(200);
    const unknown = { ...succeeded('pc-nobody', 'evt_pc_nobody'), reference: 'payment:pc-nobody' };
    expect((await sendCallback(unknown)).status).toBe(200);
    expect(await callbacksOf('pc-closed')).toEqual([
      { type: 'charge.succeeded', copies: 1, delivery: 'workflow-closed' },
    ]);
    expect(await callbacksOf('pc-nobody')).toEqual([
      { type: 'charge.succeeded', copies: 1, delivery: 'workflow-not-found' },
    ]);
    const orphans = await fetch(`${stack.url('billing')}/callbacks/orphaned`, { headers: operatorAuth }).then(
      (r) => r.json() as Promise<any[]>,
    );
    expect(orphans.map((o) => o.eventId)).toEqual(expect.arrayContaining(['evt_pc_closed', 'evt_pc_nobody']));
  });

  describe('while the workflow engine is unreachable', () => {
    // A second receiver on the same database whose Temporal adapter points at a closed port.
    let cutOff: { app: FastifyInstance; url: string; connection: Connection };
    beforeAll(async () => {
      const connection = Connection.lazy({ address: '127.0.0.1:1', connectTimeout: '1 second' });
      const deliver = temporalDelivery(new Client({ connection }));
      const app = buildBillingApp(stack.services.pool, createLogger('cut-off-billing', 'silent'), {
        secret: testWebhookSecret,
        deliver,
      });
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      cutOff = { app, url, connection };
    });
    afterAll(async () => {
      await cutOff?.app.close();
      await cutOff?.connection.close();
    });

    it('answers 503 and keeps the callback stored once; the resend delivers it and pays the order', async () => {
      const { error, channel } = await pay(
        'pc-cut-off',
        testPaymentMethods.noCallback,
        { callbackTimeout: '1 minute' },
        async (handle) => {
          await expect
            .poll(async () => (await handle.query(paymentStatusQuery)).charges, { timeout: 15_000 })
            .toHaveLength(1);
          const event = succeeded('pc-cut-off', 'evt_pc_cut_off');
          const refused = await sendCallback(event, testWebhookSecret, cutOff.url);
          expect(refused.status).toBe(503);
          expect(await refused.json()).toMatchObject({ error: { type: 'Unavailable' } });
          expect(await callbacksOf('pc-cut-off')).toEqual([{ type: 'charge.succeeded', copies: 1, delivery: null }]);
          expect((await handle.query(paymentStatusQuery)).transitions.map((t) => t.to)).toEqual(['PENDING']);
          expect((await sendCallback(event)).status).toBe(200);
        },
      );
      expect(error).toBeUndefined();
      expect(channel.polls).toBe(0);
      expect(await callbacksOf('pc-cut-off')).toEqual([{ type: 'charge.succeeded', copies: 2, delivery: 'signalled' }]);
      await capturedOnce('pc-cut-off');
    });
  });
});
