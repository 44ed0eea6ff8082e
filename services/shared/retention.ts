import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { RetentionTable } from '../../contracts/retention';
import { retentionRequest, type RetentionAnswer, type RetentionRequest } from '../../contracts/wire/retention';
import type { Pool, PoolClient } from './db';
import { mutation } from './http';

/** Removes at most `limit` rows of one table older than `windowMs`, in the caller's transaction; answers how many. */
export type RetentionStep = (client: PoolClient, windowMs: number, limit: number) => Promise<number>;

const cutoff = `now() - $1 * interval '1 millisecond'`;

/** The idempotency keys of `schema` stored longer ago than the window, oldest first. */
export function expiredKeys(schema: string): RetentionStep {
  const table = `${pg.escapeIdentifier(schema)}.idempotency_keys`;
  return async (client, windowMs, limit) => {
    const { rowCount } = await client.query(
      `DELETE FROM ${table} WHERE key IN (
         SELECT key FROM ${table} WHERE created_at < ${cutoff} ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [windowMs, limit],
    );
    return rowCount ?? 0;
  };
}

/**
 * The barrier rows of finished TCC transactions: a transaction (gid) is finished here when every
 * one of its branches has its confirm or cancel row, and it is past the window when its newest row
 * is. A branch only tried may still be confirmed or cancelled, so its transaction is kept however
 * old. Rows go a whole branch at a time (a branch without its try row would take a late try), the
 * oldest first, as many branches as fit in `limit` rows.
 */
export function finishedBarrierRows(schema: string): RetentionStep {
  const table = `${pg.escapeIdentifier(schema)}.tcc_barrier`;
  return async (client, windowMs, limit) => {
    const { rowCount } = await client.query(
      `WITH branches AS (
         SELECT gid, branch_id, bool_or(op <> 'try') AS ended, max(created_at) AS last, count(*) AS n
         FROM ${table} GROUP BY gid, branch_id
       ), finished AS (
         SELECT gid FROM branches GROUP BY gid HAVING bool_and(ended) AND max(last) < ${cutoff}
       ), picked AS (
         SELECT b.gid, b.branch_id, sum(b.n) OVER (ORDER BY b.last, b.gid, b.branch_id) AS upto
         FROM branches b JOIN finished f ON f.gid = b.gid
       )
       DELETE FROM ${table} t USING picked p
       WHERE t.gid = p.gid AND t.branch_id = p.branch_id AND p.upto <= $2`,
      [windowMs, limit],
    );
    return rowCount ?? 0;
  };
}

/**
 * `POST /retention` (idempotent on Idempotency-Key, like every mutation): removes, in one
 * transaction, at most `batchSize` rows of each table of the service past its window (the
 * idempotency keys and barrier rows of `schema`, then `extra`, the tables it owns besides) and
 * answers `{ removed, more }`, `more` when some table filled its batch. Bad windows are a 400.
 */
export function retentionRoute(
  app: FastifyInstance,
  opts: { pool: Pool; schema: string; extra?: Partial<Record<RetentionTable, RetentionStep>> },
): void {
  const steps: Partial<Record<RetentionTable, RetentionStep>> = {
    idempotencyKeys: expiredKeys(opts.schema),
    tccBarrier: finishedBarrierRows(opts.schema),
    ...opts.extra,
  };
  mutation(
    app,
    { pool: opts.pool, schema: opts.schema, url: '/retention', body: retentionRequest },
    async (client, input: RetentionRequest): Promise<RetentionAnswer> => {
      const removed: RetentionAnswer['removed'] = {};
      let more = false;
      for (const [table, step] of Object.entries(steps) as [RetentionTable, RetentionStep][]) {
        const n = await step(client, input.windows[table], input.batchSize);
        removed[table] = n;
        // A barrier batch removes whole branches (two rows at most), so it may stop a row short and have more.
        more ||= n >= input.batchSize || (table === 'tccBarrier' && n > input.batchSize - 2);
      }
      return { removed, more };
    },
  );
}
