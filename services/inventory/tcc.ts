import type { z } from 'zod';
import type { freezeRequest, StockLine } from '../../contracts/wire/inventory';
import { barrier, type Branch } from '../shared/barrier';
import type { PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { bySku } from './schema';

type Line = StockLine;

/**
 * Counts `q` more units for the buyer when `sku` is on flash sale (nothing otherwise). Refuses
 * `BuyerLimitReached` when that would pass the sale's per-buyer limit: the row lock of the
 * upsert orders concurrent tries of one buyer, and the table's CHECK is the last word.
 */
async function holdForBuyer(client: PoolClient, sku: string, buyerId: string, q: number): Promise<void> {
  const held = await client.query(
    `INSERT INTO inventory.flash_sale_buyers (sku, buyer_id, units, per_buyer_limit)
     SELECT sku, $2, $3, per_buyer_limit FROM inventory.flash_sales WHERE sku = $1 AND $3 <= per_buyer_limit
     ON CONFLICT (sku, buyer_id) DO UPDATE SET units = flash_sale_buyers.units + EXCLUDED.units
     WHERE flash_sale_buyers.units + EXCLUDED.units <= flash_sale_buyers.per_buyer_limit`,
    [sku, buyerId, q],
  );
  if (held.rowCount) return;
  const sale = await client.query('SELECT 1 FROM inventory.flash_sales WHERE sku = $1', [sku]);
  if (sale.rowCount) {
    throw new BusinessError('BuyerLimitReached', `buyer ${buyerId} may not hold more than the sale's limit of ${sku}`);
  }
}

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
      if (input.buyerId !== undefined) await holdForBuyer(client, id, input.buyerId, q);
      await client.query(
        'INSERT INTO inventory.tcc_lines (gid, branch_id, sku, quantity, buyer_id) VALUES ($1, $2, $3, $4, $5)',
        [branch.gid, branch.branchId, id, q, input.buyerId ?? null],
      );
    }
    return { frozen: items };
  });
}

/** Moves the branch's frozen lines to `target` (sold on confirm, available on cancel). */
async function settle(client: PoolClient, branch: Branch, target: 'sold' | 'available'): Promise<{ lines: Line[] }> {
  const { rows } = await client.query<Line & { buyer_id: string | null }>(
    'SELECT sku, quantity, buyer_id FROM inventory.tcc_lines WHERE gid = $1 AND branch_id = $2 ORDER BY sku COLLATE "C"',
    [branch.gid, branch.branchId],
  );
  for (const line of rows) {
    await client.query(
      `UPDATE inventory.stock SET frozen = frozen - $2, ${target} = ${target} + $2, updated_at = now() WHERE sku = $1`,
      [line.sku, line.quantity],
    );
    // A cancelled freeze no longer counts against the buyer's limit in the sale.
    if (target === 'available' && line.buyer_id !== null) {
      await client.query('UPDATE inventory.flash_sale_buyers SET units = units - $3 WHERE sku = $1 AND buyer_id = $2', [
        line.sku,
        line.buyer_id,
        line.quantity,
      ]);
    }
  }
  return { lines: rows.map(({ sku, quantity }) => ({ sku, quantity })) };
}

export const confirmFrozen = (client: PoolClient, branch: Branch) =>
  barrier(client, 'inventory', branch, 'confirm', () => settle(client, branch, 'sold'));
export const cancelFrozen = (client: PoolClient, branch: Branch) =>
  barrier(client, 'inventory', branch, 'cancel', () => settle(client, branch, 'available'));
