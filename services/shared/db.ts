import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

const int8 = 20;

/**
 * Reads a PostgreSQL bigint as a JS number. node-postgres hands bigints over as strings because
 * they may not fit; every bigint we store is bounded (money and points by `maxMinorUnits`, counts
 * by the rows there are), so a value past Number.MAX_SAFE_INTEGER is a broken invariant: it throws
 * a RangeError (the query fails) instead of silently losing digits.
 */
export function parseBigint(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`bigint ${text} is past Number.MAX_SAFE_INTEGER and cannot be read exactly`);
  }
  return value;
}

/** The type parsers of our pools: pg's defaults, with bigint (in text format) read by `parseBigint`. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
    oid === int8 && format !== 'binary'
      ? parseBigint
      : (pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown)) as typeof pg.types.getTypeParser,
};

/**
 * A pool for one process. Size comes from the caller: services and tests have different needs.
 * An idle connection the server closes (a restart, a failover, an administrator) is dropped from the
 * pool and reported to `onIdleError`, instead of an unhandled 'error' event taking the process down;
 * the next query opens a fresh connection. Bigint columns (money, points, `count(*)`) come back as
 * JS numbers, checked by `parseBigint`: cast sums of them `::bigint` (a sum is `numeric`, a string).
 */
export function createPool(
  connectionString: string,
  max = 10,
  onIdleError: (err: Error) => void = (err) => process.emitWarning(`idle PostgreSQL connection lost: ${err.message}`),
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'saga-orchestra', types });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * Runs `work` in one transaction on its own connection: COMMIT when it resolves, ROLLBACK when it
 * throws (and rethrows). The connection always goes back to the pool.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
