import type { PaymentSagaInput } from '../../contracts/payment';
import type { PoolClient } from '../shared/db';

/**
 * The order service's outbox, as a relay sees it: rows written with their order (see
 * `createOrder`), claimed, then marked delivered or failed. The SQL on `"order".outbox` lives here
 * only; the relay calls these inside one transaction of its own, so the claim's row locks hold
 * until it marks the rows.
 */

/** The NOTIFY channel an insert into the outbox wakes (migration 002). */
export const outboxChannel = 'order_outbox';

/**
 * How the outbox keeps a payload: as given (`plainOutbox`), or sealed by the payload codec so a
 * row holds no customer id in the clear (the process wires it in, see `codecOutboxSealer`).
 * `open` also reads rows written before sealing was turned on.
 */
export interface OutboxSealer {
  seal(payload: PaymentSagaInput): Promise<unknown>;
  open(stored: unknown): Promise<PaymentSagaInput>;
}

export const plainOutbox: OutboxSealer = {
  seal: (payload) => Promise.resolve(payload),
  open: (stored) => Promise.resolve(stored as PaymentSagaInput),
};

/** One undelivered row: it asks for the payment saga of `orderId`, started with `payload` (as stored: open it). */
export interface OutboxEntry {
  id: string;
  orderId: string;
  payload: unknown;
}

/**
 * Claims up to `limit` undelivered rows with `FOR UPDATE SKIP LOCKED`, so concurrent relays each
 * get other rows. Rows that keep failing sink behind fresh ones instead of blocking the head of
 * the queue. Must run inside a transaction: the locks end with it.
 */
export async function claimOutbox(db: PoolClient, limit: number): Promise<OutboxEntry[]> {
  const { rows } = await db.query<OutboxEntry>(
    `SELECT id::text AS id, aggregate_id AS "orderId", payload FROM "order".outbox WHERE delivered_at IS NULL
     ORDER BY attempts, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
    [limit],
  );
  return rows;
}

/** Marks a claimed row delivered (counting the attempt). */
export async function markOutboxDelivered(db: PoolClient, id: string): Promise<void> {
  await db.query(`UPDATE "order".outbox SET delivered_at = now(), attempts = attempts + 1 WHERE id = $1`, [id]);
}

/** Keeps a claimed row for a later round, counting the attempt and saying why it failed. */
export async function markOutboxFailed(db: PoolClient, id: string, error: string): Promise<void> {
  await db.query(`UPDATE "order".outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1`, [id, error]);
}
