import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Pool, PoolClient } from '../shared/db';
import { recordEvent } from '../shared/events';
import { createServiceApp, mutation, parseInput, query, tccRoutes } from '../shared/http';
import { cancelFrozenBalance, confirmFrozenBalance, tryFreezeBalance } from './tcc';
import { businessId } from '../../contracts/fields';
import { balanceRequest, freezeBalanceRequest, pointsRequest } from '../../contracts/wire/wallet';

/** Records `points.changed` for a new entry, in the entry's transaction. */
async function pointsChanged(client: PoolClient, input: z.infer<typeof pointsRequest>, points: number) {
  const { customerId, orderId, entryId } = input;
  await recordEvent(client, 'wallet', {
    type: 'points.changed',
    version: 1,
    aggregateId: customerId,
    data: { customerId, orderId, entryId, points },
  });
}

/**
 * Takes back points once per entry id: from the balance as far as it goes, the rest recorded as
 * debt (never a negative balance). Answers how many came off the balance and how many are owed.
 */
async function revoke(client: PoolClient, input: z.infer<typeof pointsRequest>) {
  await client.query('INSERT INTO wallet.accounts (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [
    input.customerId,
  ]);
  const { rows } = await client.query<{ balance: number }>(
    'SELECT balance_points AS balance FROM wallet.accounts WHERE customer_id = $1 FOR UPDATE',
    [input.customerId],
  );
  const inserted = await client.query(
    `INSERT INTO wallet.point_entries (entry_id, customer_id, order_id, points, reason)
     VALUES ($1, $2, $3, $4, 'refund') ON CONFLICT DO NOTHING`,
    [input.entryId, input.customerId, input.orderId, -input.points],
  );
  const fromBalance = Math.min(rows[0]!.balance, input.points);
  if (inserted.rowCount) {
    await client.query(
      `UPDATE wallet.accounts SET balance_points = balance_points - $2, debt_points = debt_points + $3
       WHERE customer_id = $1`,
      [input.customerId, fromBalance, input.points - fromBalance],
    );
    await pointsChanged(client, input, -input.points);
  }
  return { entryId: input.entryId, points: input.points, revoked: fromBalance, debt: input.points - fromBalance };
}

/**
 * Adds points once per entry id; the balance and the entry change in one transaction. Points owed
 * from earlier revocations are settled first.
 */
async function award(client: PoolClient, input: z.infer<typeof pointsRequest>) {
  await client.query('INSERT INTO wallet.accounts (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [
    input.customerId,
  ]);
  const inserted = await client.query(
    `INSERT INTO wallet.point_entries (entry_id, customer_id, order_id, points, reason)
     VALUES ($1, $2, $3, $4, 'order') ON CONFLICT DO NOTHING`,
    [input.entryId, input.customerId, input.orderId, input.points],
  );
  if (inserted.rowCount) {
    await client.query(
      `UPDATE wallet.accounts SET balance_points = balance_points + greatest($2 - debt_points, 0),
         debt_points = greatest(debt_points - $2, 0) WHERE customer_id = $1`,
      [input.customerId, input.points],
    );
    await pointsChanged(client, input, input.points);
  }
  return { entryId: input.entryId, points: input.points, awarded: inserted.rowCount === 1 };
}

async function account(pool: Pool, customerId: string) {
  const { rows } = await pool.query<{ balancePoints: number }>(
    `SELECT balance_points AS "balancePoints", debt_points AS "debtPoints", balance_cents AS "balanceCents",
       frozen_cents AS "frozenCents", spent_cents AS "spentCents"
     FROM wallet.accounts WHERE customer_id = $1`,
    [customerId],
  );
  if (rows[0] === undefined) return undefined;
  const entries = await pool.query(
    `SELECT entry_id AS "entryId", order_id AS "orderId", points, reason
     FROM wallet.point_entries WHERE customer_id = $1 ORDER BY created_at`,
    [customerId],
  );
  return { customerId, ...rows[0], entries: entries.rows };
}

/**
 * The wallet: reward points (`POST /points/award`, `POST /points/revoke` for refunds, with debt for
 * points already spent) and a stored balance customers pay with
 * (`PUT /accounts/:customerId/balance` to top up, TCC `POST /tcc/:gid/branches/:branch/try|confirm|cancel`
 * to pay), `GET /accounts/:customerId`.
 */
export function buildWalletApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('wallet', pool, logger);
  mutation(app, { pool, schema: 'wallet', url: '/points/award', body: pointsRequest }, (c, input) => award(c, input));
  mutation(app, { pool, schema: 'wallet', url: '/points/revoke', body: pointsRequest }, (c, input) => revoke(c, input));
  app.put<{ Params: { customerId: string } }>('/accounts/:customerId/balance', async (request) => {
    const customerId = parseInput(businessId, request.params.customerId);
    const { balanceCents } = parseInput(balanceRequest, request.body);
    await pool.query(
      `INSERT INTO wallet.accounts (customer_id, balance_cents) VALUES ($1, $2)
       ON CONFLICT (customer_id) DO UPDATE SET balance_cents = EXCLUDED.balance_cents`,
      [customerId, balanceCents],
    );
    return account(pool, customerId);
  });
  tccRoutes(
    app,
    { pool, schema: 'wallet', tryBody: freezeBalanceRequest },
    { try: tryFreezeBalance, confirm: confirmFrozenBalance, cancel: cancelFrozenBalance },
  );
  query(app, '/accounts/:customerId', 'UnknownAccount', (p) => account(pool, parseInput(businessId, p.customerId)));
  return app;
}
