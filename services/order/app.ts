import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Pool, PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { recordEvent } from '../shared/events';
import { createServiceApp, mutation, parseInput, query } from '../shared/http';
import { paymentSagaInput, type PaymentSagaInput } from '../../contracts/payment';
import { businessId } from '../../contracts/fields';
import { flows } from '../../contracts/flows';
import type { Currency } from '../../contracts/money';
import { requestHash } from '../../contracts/request-hash';
import { plainOutbox, type OutboxSealer } from './outbox';
import {
  cancelOrderRequest,
  idList,
  markPaidRequest,
  paidWindow,
  recordRefundRequest,
  validateOrderRequest,
  type Order,
} from '../../contracts/wire/order';

export type { Order };

/**
 * The charge id that workflows recorded before "no card charge" became an absent field. Requests
 * scheduled before then are still retried with it, under their first body (the idempotency hash
 * must match), so it is accepted on the wire and stored as NULL, like migration 005 did.
 */
const legacyNoCharge = 'none';

const paidStatuses = ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'];

const columns = `order_id AS "orderId", customer_id AS "customerId", currency, items,
  subtotal_cents AS "subtotalCents", coupon_code AS "couponCode", status,
  cancel_reason AS "cancelReason", charge_id AS "chargeId", paid_cents AS "paidCents",
  card_cents AS "cardCents", paid_at AS "paidAt", refunded_cents AS "refundedCents"`;

async function load(db: Pool | PoolClient, orderId: string, lock = false): Promise<Order | undefined> {
  const { rows } = await db.query<Order>(
    `SELECT ${columns} FROM "order".orders WHERE order_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
    [orderId],
  );
  return rows[0];
}

/**
 * Creates the order as PENDING (recording `order.placed`), or confirms the one stored is the same (customer, currency, every
 * line, coupon) and still payable; otherwise 409 `OrderMismatch` or 422 `OrderCancelled`.
 */
async function validateOrder(client: PoolClient, orderId: string, input: z.infer<typeof validateOrderRequest>) {
  const subtotal = input.items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
  const inserted = await client.query(
    `INSERT INTO "order".orders (order_id, customer_id, currency, items, subtotal_cents, coupon_code, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'PENDING') ON CONFLICT DO NOTHING`,
    [orderId, input.customerId, input.currency, JSON.stringify(input.items), subtotal, input.couponCode ?? null],
  );
  if (inserted.rowCount === 1) {
    await recordEvent(client, 'order', {
      type: 'order.placed',
      version: 1,
      aggregateId: orderId,
      data: { orderId, customerId: input.customerId, currency: input.currency, subtotalCents: subtotal },
    });
  }
  const order = (await load(client, orderId, true))!;
  // Every line counts, not only the subtotal: other items of the same total are another order.
  const same =
    order.customerId === input.customerId &&
    order.currency === input.currency &&
    requestHash(order.items) === requestHash(input.items) &&
    (order.couponCode ?? undefined) === input.couponCode;
  if (!same) throw new BusinessError('OrderMismatch', `order ${orderId} exists with other contents`, 409);
  if (order.status === 'CANCELLED') throw new BusinessError('OrderCancelled', `order ${orderId} was cancelled`);
  if (input.flow !== undefined) await claimPayingFlow(client, orderId, input.flow);
  return order;
}

/**
 * One order has one paying flow: the first that asks (its workflow id) claims the order; another
 * is refused with 409 `OrderOwnedByFlow` naming the owner, before it has reserved anything. The
 * order row is locked by the caller.
 */
async function claimPayingFlow(client: PoolClient, orderId: string, flow: string): Promise<void> {
  const { rows } = await client.query<{ paying_flow: string | null }>(
    `UPDATE "order".orders SET paying_flow = COALESCE(paying_flow, $2) WHERE order_id = $1 RETURNING paying_flow`,
    [orderId, flow],
  );
  const owner = rows[0]?.paying_flow;
  if (owner !== undefined && owner !== null && owner !== flow) {
    throw new BusinessError(
      'OrderOwnedByFlow',
      `order ${orderId} is paid by ${owner}; ${flow} may not pay it too`,
      409,
    );
  }
}

/** PENDING → CANCELLED with the reason. Unknown or already cancelled: a no-op. PAID: refused. */
async function cancelOrder(client: PoolClient, orderId: string, reason: string) {
  const order = await load(client, orderId, true);
  if (order === undefined) return { orderId, cancelled: false };
  if (paidStatuses.includes(order.status)) throw new BusinessError('OrderAlreadyPaid', `order ${orderId} is paid`);
  if (order.status === 'PENDING') {
    await client.query(
      `UPDATE "order".orders SET status = 'CANCELLED', cancel_reason = $2, updated_at = now() WHERE order_id = $1`,
      [orderId, reason],
    );
    await recordEvent(client, 'order', {
      type: 'order.cancelled',
      version: 1,
      aggregateId: orderId,
      data: { orderId, customerId: order.customerId, reason },
    });
  }
  return { ...(await load(client, orderId))!, cancelled: order.status === 'PENDING' };
}

/**
 * PENDING → PAID, with the charge or, when nothing was charged to a card, none (NULL). Paid already
 * with the same charge: unchanged. Cancelled: refused.
 */
async function markPaid(client: PoolClient, orderId: string, input: z.infer<typeof markPaidRequest>) {
  const chargeId = input.chargeId === legacyNoCharge ? null : (input.chargeId ?? null);
  const order = await load(client, orderId, true);
  if (order === undefined) throw new BusinessError('UnknownOrder', `unknown order ${orderId}`);
  if (order.status === 'CANCELLED') throw new BusinessError('OrderCancelled', `order ${orderId} was cancelled`);
  if (paidStatuses.includes(order.status)) {
    if (order.chargeId === chargeId) return order;
    throw new BusinessError('OrderAlreadyPaid', `order ${orderId} was paid by charge ${order.chargeId}`);
  }
  await client.query(
    `UPDATE "order".orders SET status = 'PAID', charge_id = $2, paid_cents = $3, card_cents = $4,
       paid_at = coalesce(paid_at, now()), updated_at = now() WHERE order_id = $1`,
    [orderId, chargeId, input.amountCents, input.cardCents ?? input.amountCents],
  );
  const paid = (await load(client, orderId))!;
  await recordEvent(client, 'order', {
    type: 'order.paid',
    version: 1,
    aggregateId: orderId,
    data: {
      orderId,
      customerId: paid.customerId,
      currency: paid.currency as Currency, // stored from a validated request, checked again by the event's schema
      paidCents: paid.paidCents ?? 0,
      cardCents: paid.cardCents ?? 0,
    },
  });
  return paid;
}

/**
 * Records a refund of a paid order once per refund id: PARTIALLY_REFUNDED, then REFUNDED when all
 * that was charged to the card came back. Refuses `OrderNotRefundable` (not paid) and
 * `RefundExceedsCapture` (more than the card paid, counting earlier refunds).
 */
async function recordRefund(client: PoolClient, orderId: string, input: z.infer<typeof recordRefundRequest>) {
  const order = await load(client, orderId, true);
  if (order === undefined) throw new BusinessError('UnknownOrder', `unknown order ${orderId}`, 404);
  const seen = await client.query('SELECT 1 FROM "order".order_refunds WHERE refund_id = $1', [input.refundId]);
  if (seen.rowCount) return order;
  if (!paidStatuses.includes(order.status)) {
    throw new BusinessError('OrderNotRefundable', `order ${orderId} is ${order.status}, not paid`);
  }
  if (order.refundedCents + input.amountCents > (order.cardCents ?? 0)) {
    throw new BusinessError(
      'RefundExceedsCapture',
      `order ${orderId} has ${(order.cardCents ?? 0) - order.refundedCents} cents left to refund`,
    );
  }
  await client.query(`INSERT INTO "order".order_refunds (refund_id, order_id, amount_cents) VALUES ($1, $2, $3)`, [
    input.refundId,
    orderId,
    input.amountCents,
  ]);
  await client.query(
    `UPDATE "order".orders SET refunded_cents = refunded_cents + $2, updated_at = now(),
       status = CASE WHEN refunded_cents + $2 >= card_cents THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END
     WHERE order_id = $1`,
    [orderId, input.amountCents],
  );
  await recordEvent(client, 'order', {
    type: 'refund.completed',
    version: 1,
    aggregateId: orderId,
    data: { orderId, customerId: order.customerId, refundId: input.refundId, amountCents: input.amountCents },
  });
  return (await load(client, orderId))!;
}

/**
 * Creates the order as PENDING and, in the same transaction, the outbox row that will start its
 * payment saga: no order ever exists without its saga. The same order again is unchanged; another
 * request for its id (any field, the card too) is refused with 409 `OrderMismatch`.
 */
async function createOrder(client: PoolClient, input: PaymentSagaInput, sealer: OutboxSealer) {
  // The outbox row starts the order's payment saga: that is its paying flow.
  const order = await validateOrder(client, input.orderId, { ...input, flow: flows.paymentSaga.id(input.orderId) });
  // The outbox row keeps the whole request that created the order (its payment-method token too),
  // sealed when the process was given a sealer.
  const { rows } = await client.query<{ payload: unknown }>(
    `SELECT payload FROM "order".outbox WHERE aggregate_id = $1`,
    [input.orderId],
  );
  for (const r of rows) {
    if (requestHash(await sealer.open(r.payload)) !== requestHash(input)) {
      throw new BusinessError('OrderMismatch', `order ${input.orderId} exists with another request`, 409);
    }
  }
  if (rows.length === 0) {
    await client.query(
      `INSERT INTO "order".outbox (aggregate_id, kind, payload) VALUES ($1, 'payment.requested', $2)`,
      [input.orderId, JSON.stringify(await sealer.seal(input))],
    );
  }
  return order;
}

/**
 * The order service: `POST /orders` (order plus outbox row), `POST /orders/:id/validate`,
 * `/cancel` (compensation), `/mark-paid`, `/refunds`, `GET /orders/:id`, and `GET /orders?ids=` or
 * `?paidFrom=&paidTo=`. Mutations are idempotent on Idempotency-Key.
 */
export function buildOrderApp(pool: Pool, logger: Logger, sealer: OutboxSealer = plainOutbox): FastifyInstance {
  const app = createServiceApp('order', pool, logger);
  const base = { pool, schema: 'order' };
  const id = (p: Record<string, string>) => parseInput(businessId, p.id);
  mutation(app, { ...base, url: '/orders', body: paymentSagaInput, status: 201 }, (c, input) =>
    createOrder(c, input, sealer),
  );
  mutation(app, { ...base, url: '/orders/:id/validate', body: validateOrderRequest }, (c, input, p) =>
    validateOrder(c, id(p), input),
  );
  mutation(app, { ...base, url: '/orders/:id/cancel', body: cancelOrderRequest }, (c, input, p) =>
    cancelOrder(c, id(p), input.reason),
  );
  mutation(app, { ...base, url: '/orders/:id/mark-paid', body: markPaidRequest }, (c, input, p) =>
    markPaid(c, id(p), input),
  );
  mutation(app, { ...base, url: '/orders/:id/refunds', body: recordRefundRequest, status: 201 }, (c, input, p) =>
    recordRefund(c, id(p), input),
  );
  query(app, '/orders/:id', 'UnknownOrder', (p) => load(pool, id(p)));
  // By ids (`?ids=a,b`), or those paid in a window (`?paidFrom=&paidTo=`), for reconciliation.
  query(app, '/orders', 'UnknownOrder', async (_p, q) => {
    if (q.ids !== undefined) {
      const ids = parseInput(idList, q.ids);
      return (await pool.query<Order>(`SELECT ${columns} FROM "order".orders WHERE order_id = ANY($1)`, [ids])).rows;
    }
    const { paidFrom, paidTo } = parseInput(paidWindow, q);
    const { rows } = await pool.query<Order>(
      `SELECT ${columns} FROM "order".orders WHERE paid_at >= $1 AND paid_at < $2 ORDER BY paid_at LIMIT 10000`,
      [paidFrom, paidTo],
    );
    return rows;
  });
  return app;
}
