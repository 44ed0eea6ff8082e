import type { z } from 'zod';
import type { freezeRequest, StockLine } from '../../contracts/wire/inventory';
import { barrier, type Branch } from '../shared/barrier';
import type { PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { bySku } from './schema';

type Line = StockLine;

/** Try: freeze every line (one conditional UPDATE each, SKU order), all or nothing. */
export function tryFreeze(client: PoolClient, branch: Branch, input: z.infer<typeof freezeRequest>) {
  return barrier(client, 'inventory', branch, 'try', async () => {
    const items = [...input.items].sort(bySku);
    for (const { sku: id, quantity: q } of items) {
      const updated = await client.query(
        `UPDATE inventory.stock SET available = available - $2, frozen = frozen + $2, updated_at = now()
         WHERE sku = $1 AND available >= $2`,
        [id, q],
      );
      if (updated.rowCount === 0) {
        const known = await client.query('SELECT 1 FROM inventory.stock WHERE sku = $1', [id]);
        throw known.rowCount
          ? new BusinessError('OutOfStock', `not enough stock of ${id} for ${q}`)
          : new BusinessError('UnknownSku', `unknown SKU ${id}`);
      }
      await client.query('INSERT INTO inventory.tcc_lines (gid, branch_id, sku, quantity) VALUES ($1, $2, $3, $4)', [
        branch.gid,
        branch.branchId,
        id,
        q,
      ]);
    }
    return { frozen: items };
  });
}

/** Moves the branch's frozen lines to `target` (sold on confirm, available on cancel). */
async function settle(client: PoolClient, branch: Branch, target: 'sold' | 'available'): Promise<{ lines: Line[] }> {
  const { rows } = await client.query<Line>(
    'SELECT sku, quantity FROM inventory.tcc_lines WHERE gid = $1 AND branch_id = $2 ORDER BY sku COLLATE "C"',
    [branch.gid, branch.branchId],
  );
  for (const line of rows) {
    await client.query(
      `UPDATE inventory.stock SET frozen = frozen - $2, ${target} = ${target} + $2, updated_at = now() WHERE sku = $1`,
      [line.sku, line.quantity],
    );
  }
  return { lines: rows };
}

export const confirmFrozen = (client: PoolClient, branch: Branch) =>
  barrier(client, 'inventory', branch, 'confirm', () => settle(client, branch, 'sold'));
export const cancelFrozen = (client: PoolClient, branch: Branch) =>
  barrier(client, 'inventory', branch, 'cancel', () => settle(client, branch, 'available'));
