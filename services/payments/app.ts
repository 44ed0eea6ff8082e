import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Pool, PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { createServiceApp, idempotencyKey, mutation, parseInput, query } from '../shared/http';
import { idempotent } from '../shared/idempotency';
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

async function capture(client: PoolClient, input: z.infer<typeof chargeInput>): Promise<Charge> {
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
    `INSERT INTO payments.charges (charge_id, order_id, amount_cents, currency, card_last4, status)
     VALUES ($1, $2, $3, $4, $5, 'CAPTURED')`,
    [input.chargeId, input.orderId, input.amountCents, input.currency, input.cardNumber.slice(-4)],
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

/**
 * The payments simulator, standing in for an external provider: `POST /charges` captures at once
 * or refuses by test card number (see cards.ts), `POST /charges/:id/refund`, `GET /charges/:id`,
 * `GET /charges?orderId=`. Idempotent on Idempotency-Key like a real provider.
 */
export function buildPaymentsApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('payments', pool, logger);
  app.post('/charges', async (request, reply) => {
    const key = idempotencyKey(request);
    const input = parseInput(chargeInput, request.body);
    const response = await idempotent(pool, 'payments', key, { params: {}, input }, async (client) => {
      const { delayMs } = cardBehaviour(input.cardNumber);
      if (delayMs > 0) await sleep(delayMs); // the provider is slow; the key is already held
      return { status: 201, body: await capture(client, input) };
    });
    return reply.status(response.status).send(response.body);
  });
  mutation(app, { pool, schema: 'payments', url: '/charges/:id/refund', body: empty }, (c, _i, p) =>
    refund(c, parseInput(businessId, p.id)),
  );
  query(app, '/charges/:id', 'UnknownCharge', (p) => load(pool, parseInput(businessId, p.id)));
  query(app, '/charges', 'UnknownCharge', async (_p, q) => {
    const { rows } = await pool.query<Charge>(`SELECT ${columns} FROM payments.charges WHERE order_id = $1`, [
      parseInput(businessId, q.orderId),
    ]);
    return rows;
  });
  return app;
}
