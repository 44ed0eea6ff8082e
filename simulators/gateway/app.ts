import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { businessId, empty } from '../../contracts/fields';
import type { Pool } from '../../services/shared/db';
import { createServiceApp, mutation, parseInput, query } from '../../services/shared/http';
import {
  chargeRequest,
  paymentMethodRequest,
  refundRequest,
  statementWindow,
  type ChargeRequest,
} from '../../contracts/wire/gateway';
import { defaultTimings, testTokenBehaviour, type GatewayTimings } from './cards';
import { faultyMutation, type MutationFaults } from './faulty-mutation';
import {
  chargesWhere,
  createCharge,
  createPaymentMethod,
  createRefund,
  loadCharge,
  loadRefund,
  statement,
  voidCharge,
} from './store';
import { WebhookDispatcher, type WebhookOptions } from './webhooks';

export interface GatewayOptions {
  callbackUrl: () => string | undefined;
  secret: string;
  timings?: Partial<GatewayTimings>;
  /** Run the settlement and callback loop in this process (default true). */
  dispatch?: boolean;
}

/**
 * The card behaviours that break the transport rather than the payment: the first call of a
 * `createTimeout` card hangs and is dropped before anything happens; the first answer of a
 * `responseLost` card is cut off after the charge was made.
 */
function transportFaults(timings: GatewayTimings): MutationFaults<ChargeRequest> {
  const hung = new Set<string>();
  return {
    async before(input, key, reply) {
      const behaviour = testTokenBehaviour(input.paymentMethod);
      if (behaviour === 'slow') await sleep(3000); // the provider is slow, and answers
      if (behaviour !== 'createTimeout' || hung.has(key)) return false;
      hung.add(key);
      await sleep(timings.hangMs);
      reply.raw.destroy();
      return true;
    },
    after(input, _key, replayed, reply) {
      if (testTokenBehaviour(input.paymentMethod) !== 'responseLost' || replayed) return false;
      reply.raw.destroy();
      return true;
    },
  };
}

/**
 * The payments gateway simulator, standing in for an external provider. `POST /payment-methods` is
 * its vault: a card in, a `pm_…` token out (the only route that takes a card number). `POST /charges` charges a token and answers a
 * PENDING charge that settles later and is announced by a signed callback (see cards.ts for the
 * test cards and webhooks.ts for delivery); `POST /charges/:id/refund` undoes a charge whatever its
 * state (void, refund or tombstone); `POST /charges/:id/refunds` refunds part of a capture;
 * `GET /charges/:id`, `GET /refunds/:id`, `GET /charges?orderId=` or `?idempotencyKey=` (the status of a call whose
 * answer was lost); `GET /statements?from=&to=` (settled captures and refunds, for reconciliation).
 * Mutations are idempotent on Idempotency-Key like a real provider's.
 */
export function buildPaymentsApp(pool: Pool, logger: Logger, gateway: GatewayOptions): FastifyInstance {
  const app = createServiceApp('payments', pool, logger);
  const timings = { ...defaultTimings, ...gateway.timings };
  const base = { pool, schema: 'payments' };
  const id = (p: Record<string, string>) => parseInput(businessId, p.id);
  app.post('/payment-methods', async (request, reply) => {
    const card = parseInput(paymentMethodRequest, request.body ?? {});
    return reply.status(201).send(await createPaymentMethod(pool, card));
  });
  faultyMutation(
    app,
    { ...base, url: '/charges', body: chargeRequest, status: 201 },
    transportFaults(timings),
    (c, input, _p, key) => createCharge(c, input, key, timings),
  );
  mutation(app, { ...base, url: '/charges/:id/refund', body: empty }, (c, _i, p) => voidCharge(c, id(p), timings));
  mutation(app, { ...base, url: '/charges/:id/refunds', body: refundRequest, status: 201 }, (c, input, p, key) =>
    createRefund(c, id(p), input, key, timings),
  );
  query(app, '/charges/:id', 'UnknownCharge', (p) => loadCharge(pool, id(p)));
  query(app, '/refunds/:id', 'UnknownRefund', (p) => loadRefund(pool, id(p)));
  query(app, '/charges', 'UnknownCharge', async (_p, q) => {
    // By order (all its charges) or by the caller's idempotency key (the one charge it made, or 404).
    if (q.idempotencyKey !== undefined) {
      return (await chargesWhere(pool, 'idempotency_key', parseInput(z.string().min(1).max(300), q.idempotencyKey)))[0];
    }
    return chargesWhere(pool, 'order_id', parseInput(businessId, q.orderId));
  });
  query(app, '/statements', 'UnknownStatement', async (_p, q) => {
    const { from, to } = parseInput(statementWindow, q);
    return { from, to, entries: await statement(pool, from, to) };
  });

  if (gateway.dispatch !== false) {
    const options: WebhookOptions = { callbackUrl: gateway.callbackUrl, secret: gateway.secret, timings };
    const dispatcher = new WebhookDispatcher(pool, app.log, options);
    app.addHook('onReady', (done) => {
      dispatcher.start();
      done();
    });
    app.addHook('onClose', () => dispatcher.stop());
  }
  return app;
}
