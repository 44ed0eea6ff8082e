import pg from 'pg';
import { BusinessError } from './errors';
import type { PoolClient } from './db';

export type TccOp = 'try' | 'confirm' | 'cancel';
export interface Branch {
  /** The global (saga) transaction id. */
  gid: string;
  branchId: string;
}

export interface BarrierOutcome<T> {
  /** What the business change returned, now or the first time (undefined when it did not run). */
  result: T | undefined;
  /** `applied`: ran now; `duplicate`: ran before; `empty`: a cancel with no try, recorded, nothing changed. */
  outcome: 'applied' | 'duplicate' | 'empty';
}

/**
 * Runs one TCC operation of one branch through the barrier, inside the caller's transaction:
 * - all operations of a branch serialize on a transaction-scoped advisory lock, so racing
 *   connections end in one consistent outcome and never deadlock on each other;
 * - the barrier row is written insert-or-nothing before the business change, which runs once;
 *   a duplicate returns the first result (try) or is a no-op (confirm, cancel);
 * - cancel with no prior try records itself and a cancel-made 'try' row and succeeds (empty
 *   compensation); any try after a cancel is refused with `TryAfterCancel` (suspension);
 * - cancel after confirm and confirm after cancel are refused; so is confirm without a try.
 * Refusals are BusinessErrors (422, non-retryable). If `business` throws, the caller's transaction
 * rolls back, barrier row included, so a retry starts clean.
 */
export async function barrier<T>(
  client: PoolClient,
  schema: string,
  branch: Branch,
  op: TccOp,
  business: () => Promise<T>,
): Promise<BarrierOutcome<T>> {
  const table = `${pg.escapeIdentifier(schema)}.tcc_barrier`;
  const { gid, branchId } = branch;
  const where = `${gid}/${branchId}`;
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${schema}:${gid}:${branchId}`]);
  const rows = await client.query<{ op: TccOp; origin: TccOp; result: T | null }>(
    `SELECT op, origin, result FROM ${table} WHERE gid = $1 AND branch_id = $2`,
    [gid, branchId],
  );
  const row = (o: TccOp) => rows.rows.find((r) => r.op === o);
  const insert = (o: TccOp, origin: TccOp) =>
    client.query(`INSERT INTO ${table} (gid, branch_id, op, origin) VALUES ($1, $2, $3, $4)`, [
      gid,
      branchId,
      o,
      origin,
    ]);
  const store = (o: TccOp, result: T) =>
    client.query(`UPDATE ${table} SET result = $4 WHERE gid = $1 AND branch_id = $2 AND op = $3`, [
      gid,
      branchId,
      o,
      JSON.stringify(result ?? null),
    ]);

  switch (op) {
    case 'try': {
      const tried = row('try');
      if (row('cancel')) throw new BusinessError('TryAfterCancel', `branch ${where} is cancelled`);
      if (tried) return { result: tried.result ?? undefined, outcome: 'duplicate' };
      await insert('try', 'try');
      const result = await business();
      await store('try', result);
      return { result, outcome: 'applied' };
    }
    case 'confirm': {
      if (row('cancel')) throw new BusinessError('ConfirmAfterCancel', `branch ${where} was cancelled`);
      if (row('confirm')) return { result: row('confirm')?.result ?? undefined, outcome: 'duplicate' };
      if (row('try')?.origin !== 'try') throw new BusinessError('ConfirmWithoutTry', `branch ${where} was never tried`);
      await insert('confirm', 'confirm');
      const result = await business();
      await store('confirm', result);
      return { result, outcome: 'applied' };
    }
    case 'cancel': {
      if (row('confirm')) throw new BusinessError('CancelAfterConfirm', `branch ${where} is confirmed`);
      if (row('cancel')) return { result: row('cancel')?.result ?? undefined, outcome: 'duplicate' };
      await insert('cancel', 'cancel');
      if (!row('try')) {
        await insert('try', 'cancel'); // blocks a late try
        return { result: undefined, outcome: 'empty' };
      }
      const result = await business();
      await store('cancel', result);
      return { result, outcome: 'applied' };
    }
  }
}
