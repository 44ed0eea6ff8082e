import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/**
 * A pool for one process. Size comes from the caller: services and tests have different needs.
 * An idle connection the server closes (a restart, a failover, an administrator) is dropped from the
 * pool and reported to `onIdleError`, instead of an unhandled 'error' event taking the process down;
 * the next query opens a fresh connection.
 */
export function createPool(
  connectionString: string,
  max = 10,
  onIdleError: (err: Error) => void = (err) => process.emitWarning(`idle PostgreSQL connection lost: ${err.message}`),
): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, application_name: 'saga-orchestra' });
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
