/**
 * The database half of the retry rule (the HTTP half is `contracts/retryable.ts`): services answer
 * 503 for transient database faults, which callers then retry.
 */

/**
 * SQLSTATE classes that a retry can cure: connection exceptions (08), serialization failure and
 * deadlock (40001, 40P01), insufficient resources (53), operator intervention (57P01-03), and
 * lock-not-available (55P03). Constraint violations and the like are not (node-postgres
 * `DatabaseError.code`).
 */
export function transientSqlState(code: string | undefined): boolean {
  if (code === undefined) return false;
  return (
    code.startsWith('08') ||
    code === '40001' ||
    code === '40P01' ||
    code.startsWith('53') ||
    code === '55P03' ||
    ['57P01', '57P02', '57P03'].includes(code)
  );
}
