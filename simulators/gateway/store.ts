import { randomBytes, randomUUID } from 'node:crypto';
import type { GatewayCharge, GatewayEvent } from '../../contracts/gateway';
import type {
  ChargeRequest,
  GatewayRefund,
  PaymentMethod,
  PaymentMethodRequest,
  RefundRequest,
  StatementEntry,
} from '../../contracts/wire/gateway';
import { inTransaction, type Pool, type PoolClient } from '../../services/shared/db';
import { BusinessError } from '../../services/shared/errors';
import {
  cardBehaviour,
  cardBrand,
  failureCode,
  testCards,
  testPaymentMethods,
  testTokenBehaviour,
  type CardBehaviour,
  type GatewayTimings,
} from './cards';

const columns = `charge_id AS "chargeId", order_id AS "orderId", reference, amount_cents AS "amountCents",
  refunded_cents AS "refundedCents", currency, card_last4 AS "cardLast4", status,
  failure_code AS "failureCode", sequence, NOT (status = 'PENDING' AND behaviour = 'lateSuccess') AS voidable,
  (SELECT coalesce(sum(r.amount_cents), 0)::bigint FROM payments.refunds r
    WHERE r.charge_id = charges.charge_id AND r.status = 'PENDING') AS "pendingRefundCents"`;

export async function loadCharge(db: Pool | PoolClient, chargeId: string): Promise<GatewayCharge | undefined> {
  const { rows } = await db.query<GatewayCharge>(`SELECT ${columns} FROM payments.charges WHERE charge_id = $1`, [
    chargeId,
  ]);
  return rows[0];
}

export async function chargesWhere(db: Pool, column: 'order_id' | 'idempotency_key', value: string) {
  const { rows } = await db.query<GatewayCharge>(
    `SELECT ${columns} FROM payments.charges WHERE ${column} = $1 ORDER BY created_at`,
    [value],
  );
  return rows;
}

/**
 * Puts a card into the vault and answers its token: the fixed `pm_card_<behaviour>` for a test card,
 * a new random one for any other (kept with brand, last four and expiry; never the number).
 */
export async function createPaymentMethod(db: Pool, input: PaymentMethodRequest): Promise<PaymentMethod> {
  const facts = {
    brand: cardBrand(input.number),
    last4: input.number.slice(-4),
    expMonth: input.expMonth,
    expYear: input.expYear,
  };
  const behaviour = cardBehaviour(input.number);
  if (testCards[behaviour] === input.number) return { paymentMethod: testPaymentMethods[behaviour], ...facts };
  const token = `pm_${randomBytes(12).toString('hex')}`;
  await db.query(
    `INSERT INTO payments.payment_methods (payment_method, brand, last4, exp_month, exp_year) VALUES ($1, $2, $3, $4, $5)`,
    [token, facts.brand, facts.last4, facts.expMonth, facts.expYear],
  );
  return { paymentMethod: token, ...facts };
}

/**
 * What a token charges: its card's behaviour and last four. A token the vault never issued is
 * refused (`UnknownPaymentMethod`).
 */
async function resolvePaymentMethod(db: Pool | PoolClient, token: string) {
  const test = testTokenBehaviour(token);
  if (test !== undefined) return { behaviour: test, last4: testCards[test].slice(-4) };
  const { rows } = await db.query<{ last4: string }>(
    'SELECT last4 FROM payments.payment_methods WHERE payment_method = $1',
    [token],
  );
  if (rows[0] === undefined)
    throw new BusinessError('UnknownPaymentMethod', `payment method ${token} is not in the vault`);
  return { behaviour: 'success' as const, last4: rows[0].last4 };
}

/** Serializes every operation on one charge id, so a create, its settlement and its void never interleave. */
const lockCharge = (client: PoolClient, chargeId: string) =>
  client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`payments:charge:${chargeId}`]);

/**
 * Creates a PENDING charge that settles later (see `settleDue`). The same charge id again answers
 * the existing charge; a charge id voided before it was created is refused (`ChargeVoided`), and so
 * is a second live charge for the same order (`AlreadyCharged`).
 */
export async function createCharge(
  client: PoolClient,
  input: ChargeRequest,
  key: string,
  timings: GatewayTimings,
): Promise<GatewayCharge> {
  await lockCharge(client, input.chargeId);
  const existing = await loadCharge(client, input.chargeId);
  if (existing) return existing;
  const voided = await client.query('SELECT 1 FROM payments.voided_charges WHERE charge_id = $1', [input.chargeId]);
  if (voided.rowCount)
    throw new BusinessError('ChargeVoided', `charge ${input.chargeId} was voided before it was made`);
  const other = await client.query(
    `SELECT 1 FROM payments.charges WHERE order_id = $1 AND status IN ('PENDING', 'CAPTURED')`,
    [input.orderId],
  );
  if (other.rowCount) throw new BusinessError('AlreadyCharged', `order ${input.orderId} already has a live charge`);
  const { behaviour, last4 } = await resolvePaymentMethod(client, input.paymentMethod);
  const settleMs = behaviour === 'lateSuccess' ? timings.lateMs : timings.settleMs;
  await client.query(
    `INSERT INTO payments.charges (charge_id, order_id, reference, amount_cents, currency, card_last4, status,
       behaviour, idempotency_key, settles_at, payment_method)
     VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7, $8, now() + $9 * interval '1 millisecond', $10)`,
    [
      input.chargeId,
      input.orderId,
      input.reference ?? `payment:${input.orderId}`,
      input.amountCents,
      input.currency,
      last4,
      behaviour,
      key,
      settleMs,
      input.paymentMethod,
    ],
  );
  return (await loadCharge(client, input.chargeId))!;
}

/**
 * Undoes a charge, whatever became of it: unknown → a tombstone, so a create arriving later is
 * refused; PENDING → VOIDED (no money moves), unless the payment method cannot be stopped, which
 * answers the pending charge unchanged (`voidable: false`); CAPTURED → a refund of what is left;
 * FAILED, VOIDED, REFUNDED → nothing to do.
 */
export async function voidCharge(client: PoolClient, chargeId: string, timings: GatewayTimings) {
  await lockCharge(client, chargeId);
  const charge = await loadCharge(client, chargeId);
  if (charge === undefined) {
    await client.query('INSERT INTO payments.voided_charges (charge_id) VALUES ($1) ON CONFLICT DO NOTHING', [
      chargeId,
    ]);
    return { chargeId, status: 'VOIDED' as const, existed: false };
  }
  if (charge.status === 'PENDING' && charge.voidable) {
    await client.query(`UPDATE payments.charges SET status = 'VOIDED', sequence = sequence + 1 WHERE charge_id = $1`, [
      chargeId,
    ]);
  }
  // Refund what is neither refunded nor already being refunded (a partial refund may be settling).
  const left = charge.amountCents - charge.refundedCents - charge.pendingRefundCents;
  if (charge.status === 'CAPTURED' && left > 0) {
    await insertRefund(client, charge, `${chargeId}:void`, left, null, timings);
  }
  return { ...(await loadCharge(client, chargeId))!, existed: true };
}

async function insertRefund(
  client: PoolClient,
  charge: GatewayCharge,
  refundId: string,
  amountCents: number,
  key: string | null,
  timings: GatewayTimings,
  reference: string | null = null,
) {
  const { rows } = await client.query<{ pending: number }>(
    `SELECT coalesce(sum(amount_cents), 0)::bigint AS pending FROM payments.refunds
     WHERE charge_id = $1 AND status = 'PENDING'`,
    [charge.chargeId],
  );
  const left = charge.amountCents - charge.refundedCents - rows[0]!.pending;
  if (amountCents > left) {
    throw new BusinessError(
      'RefundExceedsCapture',
      `refund of ${amountCents} exceeds the ${left} cents of charge ${charge.chargeId} not yet refunded`,
    );
  }
  await client.query(
    `INSERT INTO payments.refunds (refund_id, charge_id, amount_cents, status, idempotency_key, settles_at, reference)
     VALUES ($1, $2, $3, 'PENDING', $4, now() + $5 * interval '1 millisecond', $6) ON CONFLICT DO NOTHING`,
    [refundId, charge.chargeId, amountCents, key, timings.settleMs, reference],
  );
}

/**
 * A refund of (part of) a captured charge, settled later with a `refund.succeeded` callback. All
 * refunds of a charge, pending ones included, never exceed its capture: the check and the insert
 * run under the charge's lock (`RefundExceedsCapture` otherwise).
 */
export async function createRefund(
  client: PoolClient,
  chargeId: string,
  input: RefundRequest,
  key: string,
  timings: GatewayTimings,
) {
  await lockCharge(client, chargeId);
  const existing = await client.query('SELECT 1 FROM payments.refunds WHERE refund_id = $1', [input.refundId]);
  const charge = await loadCharge(client, chargeId);
  if (charge === undefined) throw new BusinessError('UnknownCharge', `unknown charge ${chargeId}`, 404);
  if (!existing.rowCount) {
    if (charge.status !== 'CAPTURED') {
      throw new BusinessError('ChargeNotCaptured', `charge ${chargeId} is ${charge.status}, not CAPTURED`);
    }
    await insertRefund(client, charge, input.refundId, input.amountCents, key, timings, input.reference ?? null);
  }
  return (await loadRefund(client, input.refundId))!;
}

export async function loadRefund(db: Pool | PoolClient, refundId: string): Promise<GatewayRefund | undefined> {
  const { rows } = await db.query<GatewayRefund>(
    `SELECT refund_id AS "refundId", charge_id AS "chargeId", amount_cents AS "amountCents", status
     FROM payments.refunds WHERE refund_id = $1`,
    [refundId],
  );
  return rows[0];
}

/** A callback about `charge` as it now is; `over` sets what differs (a refund's id and amount). */
function eventOf(charge: GatewayCharge, type: GatewayEvent['type'], over: Partial<GatewayEvent> = {}): GatewayEvent {
  return {
    eventId: `evt_${randomUUID().replaceAll('-', '')}`,
    type,
    chargeId: charge.chargeId,
    orderId: charge.orderId,
    reference: charge.reference,
    sequence: charge.sequence,
    status: charge.status,
    amountCents: charge.amountCents,
    refundedCents: charge.refundedCents,
    ...(charge.failureCode ? { failureCode: charge.failureCode } : {}),
    occurredAt: new Date().toISOString(),
    ...over,
  };
}

/** The callbacks a settled charge sends, by card behaviour. */
function chargeEvents(charge: GatewayCharge, behaviour: CardBehaviour, timings: GatewayTimings) {
  const event = (type: GatewayEvent['type'], sequence: number, status = charge.status) =>
    eventOf(charge, type, { sequence, status });
  const final = event(charge.status === 'FAILED' ? 'charge.failed' : 'charge.succeeded', charge.sequence);
  switch (behaviour) {
    case 'noCallback':
      return [];
    case 'delayedCallback':
      return [{ body: final, delayMs: timings.callbackDelayMs, copies: 1 }];
    case 'duplicateCallbacks':
      return [{ body: final, delayMs: 0, copies: 5 }];
    case 'outOfOrder':
      // The older event arrives after the newer one.
      return [
        { body: final, delayMs: 0, copies: 1 },
        { body: event('charge.processing', charge.sequence - 1, 'PENDING'), delayMs: 300, copies: 1 },
      ];
    default:
      return [{ body: final, delayMs: 0, copies: 1 }];
  }
}

async function enqueue(client: PoolClient, body: GatewayEvent, delayMs: number, copies: number) {
  await client.query(
    `INSERT INTO payments.events (event_id, charge_id, body, send_at, copies)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond', $5)`,
    [body.eventId, body.chargeId, JSON.stringify(body), delayMs, copies],
  );
}

/**
 * Settles what is due, each in its own transaction with the callbacks it triggers: pending charges
 * become CAPTURED or FAILED (by card), pending refunds SUCCEEDED (the charge REFUNDED once fully
 * refunded). Returns how many it settled.
 */
export async function settleDue(pool: Pool, timings: GatewayTimings, limit = 50): Promise<number> {
  const due = await pool.query<{ id: string; kind: 'charge' | 'refund' }>(
    `(SELECT charge_id AS id, 'charge' AS kind FROM payments.charges WHERE status = 'PENDING' AND settles_at <= now()
      LIMIT $1)
     UNION ALL
     (SELECT refund_id, 'refund' FROM payments.refunds WHERE status = 'PENDING' AND settles_at <= now() LIMIT $1)`,
    [limit],
  );
  for (const row of due.rows) {
    await inTransaction(pool, (client) =>
      row.kind === 'charge' ? settleCharge(client, row.id, timings) : settleRefund(client, row.id),
    );
  }
  return due.rowCount ?? 0;
}

async function settleCharge(client: PoolClient, chargeId: string, timings: GatewayTimings) {
  await lockCharge(client, chargeId);
  const { rows } = await client.query<{ behaviour: CardBehaviour }>(
    `SELECT behaviour FROM payments.charges WHERE charge_id = $1 AND status = 'PENDING' AND settles_at <= now()`,
    [chargeId],
  );
  const behaviour = rows[0]?.behaviour;
  if (behaviour === undefined) return; // voided or settled meanwhile
  const code = failureCode(behaviour);
  await client.query(
    `UPDATE payments.charges SET sequence = sequence + 1,
       status = CASE WHEN $2::text IS NULL THEN 'CAPTURED' ELSE 'FAILED' END,
       failure_code = $2, captured_at = CASE WHEN $2::text IS NULL THEN now() END
     WHERE charge_id = $1`,
    [chargeId, code ?? null],
  );
  const charge = (await loadCharge(client, chargeId))!;
  for (const e of chargeEvents(charge, behaviour, timings)) await enqueue(client, e.body, e.delayMs, e.copies);
}

async function settleRefund(client: PoolClient, refundId: string) {
  const { rows } = await client.query<{ chargeId: string; amountCents: number; reference: string | null }>(
    `SELECT charge_id AS "chargeId", amount_cents AS "amountCents", reference FROM payments.refunds
     WHERE refund_id = $1`,
    [refundId],
  );
  const refund = rows[0]!;
  await lockCharge(client, refund.chargeId);
  const settled = await client.query(
    `UPDATE payments.refunds SET status = 'SUCCEEDED', settled_at = now() WHERE refund_id = $1 AND status = 'PENDING'`,
    [refundId],
  );
  if (!settled.rowCount) return;
  await client.query(
    `UPDATE payments.charges SET refunded_cents = refunded_cents + $2, sequence = sequence + 1,
       status = CASE WHEN refunded_cents + $2 = amount_cents THEN 'REFUNDED' ELSE status END,
       refunded_at = CASE WHEN refunded_cents + $2 = amount_cents THEN now() ELSE refunded_at END
     WHERE charge_id = $1`,
    [refund.chargeId, refund.amountCents],
  );
  const charge = (await loadCharge(client, refund.chargeId))!;
  const event = eventOf(charge, 'refund.succeeded', {
    reference: refund.reference ?? charge.reference,
    refundId,
    amountCents: refund.amountCents,
  });
  await enqueue(client, event, 0, 1);
}

/** Settled movements in [from, to): every capture by its capture time, every refund by its settlement. */
export async function statement(pool: Pool, from: string, to: string): Promise<StatementEntry[]> {
  const { rows } = await pool.query<StatementEntry>(
    `SELECT 'charge' AS type, charge_id AS "chargeId", NULL AS "refundId", order_id AS "orderId",
            amount_cents AS "amountCents", currency, captured_at AS at
       FROM payments.charges WHERE captured_at >= $1 AND captured_at < $2
     UNION ALL
     SELECT 'refund', r.charge_id, r.refund_id, c.order_id, r.amount_cents, c.currency, r.settled_at
       FROM payments.refunds r JOIN payments.charges c USING (charge_id)
      WHERE r.settled_at >= $1 AND r.settled_at < $2
     ORDER BY at, type`,
    [from, to],
  );
  return rows;
}
