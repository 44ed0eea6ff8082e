import pg from 'pg';
import { amountLimitRefusal, BusinessError } from './errors';
import { requestHash } from '../../contracts/request-hash';
import { inTransaction, type Pool, type PoolClient } from './db';

export interface StoredResponse {
  status: number;
  body: unknown;
}

/** A response, and whether it is the stored answer of an earlier request with the same key. */
export type IdempotentResponse = StoredResponse & { replayed: boolean };

/**
 * Runs a mutating request exactly once per idempotency key, in one transaction with its
 * `<schema>.idempotency_keys` row:
 * - first time: runs `work`, stores its response (a BusinessError's refusal too, and an amount past
 *   the money bound as `AmountLimit`, see `amountLimitRefusal`) and commits;
 * - same key and body again: returns the stored response without running `work`;
 * - same key with another body: a 409 `IdempotencyKeyReused` refusal.
 * A concurrent duplicate waits on the key's unique index until the first commits or rolls back.
 * Other errors roll everything back and propagate, so the caller may retry with the same key.
 */
export async function idempotent(
  pool: Pool,
  schema: string,
  key: string,
  body: unknown,
  work: (client: PoolClient) => Promise<StoredResponse>,
): Promise<IdempotentResponse> {
  const table = `${pg.escapeIdentifier(schema)}.idempotency_keys`;
  const hash = requestHash(body);
  return inTransaction(pool, async (client) => {
    const inserted = await client.query(
      `INSERT INTO ${table} (key, request_hash) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, hash],
    );
    if (inserted.rowCount === 0) {
      const { rows } = await client.query<{ request_hash: string; status: number; response: unknown }>(
        `SELECT request_hash, status, response FROM ${table} WHERE key = $1`,
        [key],
      );
      const row = rows[0];
      if (row === undefined) throw new Error(`idempotency key ${key} vanished`);
      if (row.request_hash !== hash) {
        throw new BusinessError('IdempotencyKeyReused', `Idempotency-Key ${key} was used with a different body`, 409);
      }
      return { status: row.status, body: row.response, replayed: true };
    }
    await client.query('SAVEPOINT work');
    let response: StoredResponse;
    try {
      response = await work(client);
    } catch (err) {
      const refusal = err instanceof BusinessError ? err : amountLimitRefusal(err);
      if (refusal === undefined) throw err;
      // A refusal is an answer too: undo the partial change but remember the refusal for this key.
      await client.query('ROLLBACK TO SAVEPOINT work');
      response = { status: refusal.status, body: { error: { type: refusal.type, message: refusal.message } } };
    }
    await client.query(`UPDATE ${table} SET status = $2, response = $3 WHERE key = $1`, [
      key,
      response.status,
      JSON.stringify(response.body),
    ]);
    return { ...response, replayed: false };
  });
}
