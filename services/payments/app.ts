import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Pool, PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { createServiceApp, mutation, parseInput, query } from '../shared/http';
import { businessId, cardNumber, currency, empty, positiveCents } from '../../domain/fields';
import { cardBehaviour } from './cards';

export const chargeInput = z.object({
  chargeId: businessId,
  orderId: businessId,
  amountCents: positiveCents,
  currency,
  cardNumber,
});

export interface Charge {
  chargeId: string;
  orderId: string;
  amountCents: number;
  currency: string;
  cardLast4: string;
  status: 'CAPTURED' | 'REFUNDED';
}

const columns = `charge_id AS "chargeId", order_id AS "orderId", amount_cents::int AS "amountCents", currency,
  card_last4 AS "cardLast4", status`;

async function load(db: Pool | PoolClient, chargeId: string, lock = false): Promise<Charge | undefined> {
  const { rows } = await db.query<Charge>(
    `SELECT ${columns} FROM payments.charges WHERE charge_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
    [chargeId],
  );
  return rows[0];
}

/** Serializes every operation on one charge id, so a capture and its refund never interleave. */
const lockCharge = (client: PoolClient, chargeId: string) =>
  client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`payments:charge:${chargeId}`]);

async function capture(client: PoolClient, input: z.infer<typeof chargeInput>, key: string): Promise<Charge> {
  await lockCharge(client, input.chargeId);
  const existing = await load(client, input.chargeId, true);
  if (existing) return existing;
  const voided = await client.query('SELECT 1 FROM payments.voided_charges WHERE charge_id = $1', [input.chargeId]);
  if (voided.rowCount)
    throw new BusinessError('ChargeVoided', `charge ${input.chargeId} was refunded before it was made`);
  const other = await client.query('SELECT 1 FROM payments.charges WHERE order_id = $1 AND status = $2', [
    input.orderId,
    'CAPTURED',
  ]);
  if (other.rowCount) throw new BusinessError('AlreadyCharged', `order ${input.orderId} already has a capture`);
  await client.query(
    `INSERT INTO payments.charges (charge_id, order_id, amount_cents, currency, card_last4, status, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, 'CAPTURED', $6)`,
    [input.chargeId, input.orderId, input.amountCents, input.currency, input.cardNumber.slice(-4), key],
  );
  return (await load(client, input.chargeId))!;
}

/**
 * Refunds a capture in full. Unknown charge: nothing to refund, and a tombstone so that a capture
 * arriving later is refused (ChargeVoided).
 */
async function refund(client: PoolClient, chargeId: string) {
  await lockCharge(client, chargeId);
  const charge = await load(client, chargeId, true);
  if (charge === undefined) {
    await client.query('INSERT INTO payments.voided_charges (charge_id) VALUES ($1) ON CONFLICT DO NOTHING', [
      chargeId,
    ]);
    return { chargeId, refunded: false };
  }
  if (charge.status === 'CAPTURED') {
    await client.query(`UPDATE payments.charges SET status = 'REFUNDED', refunded_at = now() WHERE charge_id = $1`, [
      chargeId,
    ]);
  }
  return { ...(await load(client, chargeId))!, refunded: charge.status === 'CAPTURED' };
}

const statementWindow = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: 'from must be before to', path: ['from'] });

export interface StatementEntry {
  type: 'charge' | 'refund';
  chargeId: string;
  orderId: string;
  amountCents: number;
  currency: string;
  at: string;
}

/** Settled movements in [from, to): every capture by its time, every refund by its time. */
async function statement(pool: Pool, from: string, to: string): Promise<StatementEntry[]> {
  const { rows } = await pool.query<StatementEntry>(
    `SELECT 'charge' AS type, charge_id AS "chargeId", order_id AS "orderId", amount_cents::int AS "amountCents",
            currency, created_at AS at
       FROM payments.charges WHERE created_at >= $1 AND created_at < $2
     UNION ALL
     SELECT 'refund', charge_id, order_id, amount_cents::int, currency, refunded_at
       FROM payments.charges WHERE refunded_at >= $1 AND refunded_at < $2
     ORDER BY at, type`,
    [from, to],
  );
  return rows;
}

/**
 * The payments simulator, standing in for an external provider: `POST /charges` captures at once
 * or refuses by test card number (see cards.ts), `POST /charges/:id/refund`, `GET /charges/:id`,
 * `GET /charges?orderId=` or `?idempotencyKey=` (status of a call whose answer was lost), and
 * `GET /statements?from=&to=` (settled charges and refunds, for reconciliation). Idempotent on
 * Idempotency-Key like a real provider.
 */
export function buildPaymentsApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('payments', pool, logger);
  mutation(
    app,
    { pool, schema: 'payments', url: '/charges', body: chargeInput, status: 201 },
    async (c, input, _p, key) => {
      const { delayMs } = cardBehaviour(input.cardNumber);
      if (delayMs > 0) await sleep(delayMs); // the provider is slow; the key is already held
      return capture(c, input, key);
    },
  );
  mutation(app, { pool, schema: 'payments', url: '/charges/:id/refund', body: empty }, (c, _i, p) =>
    refund(c, parseInput(businessId, p.id)),
  );
  query(app, '/charges/:id', 'UnknownCharge', (p) => load(pool, parseInput(businessId, p.id)));
  query(app, '/charges', 'UnknownCharge', async (_p, q) => {
    // By order (all its charges) or by the caller's idempotency key (the one charge it made, or 404).
    if (q.idempotencyKey !== undefined) {
      const key = parseInput(z.string().min(1).max(300), q.idempotencyKey);
      const { rows } = await pool.query<Charge>(`SELECT ${columns} FROM payments.charges WHERE idempotency_key = $1`, [
        key,
      ]);
      return rows[0];
    }
    const { rows } = await pool.query<Charge>(`SELECT ${columns} FROM payments.charges WHERE order_id = $1`, [
      parseInput(businessId, q.orderId),
    ]);
    return rows;
  });
  query(app, '/statements', 'UnknownStatement', async (_p, q) => {
    const { from, to } = parseInput(statementWindow, q);
    return { from, to, entries: await statement(pool, from, to) };
  });
  return app;
}
