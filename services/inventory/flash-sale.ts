import type { Pool } from '../shared/db';
import { BusinessError } from '../shared/errors';

export interface FlashSale {
  sku: string;
  units: number;
  perBuyerLimit: number;
  gateShards: number;
}

/** What the database says of a sale: the truth the gate is rebuilt from and compared with. */
export interface SaleLedger {
  sale: FlashSale;
  available: number;
  frozen: number;
  sold: number;
  /** Units held (frozen or sold) per buyer. */
  buyers: Map<string, number>;
}

/**
 * Opens (or reopens) the flash sale of `sku` with `units` available: the stock row, the sale row
 * and no buyers, in one transaction. Reopening a sale that is running is not supported: buyers
 * who already hold units keep them in the stock, but not in the count of the new sale.
 */
export async function openSale(pool: Pool, sale: FlashSale): Promise<FlashSale> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO inventory.stock (sku, available, stocked) VALUES ($1, $2, $2)
       ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available, updated_at = now(),
         stocked = EXCLUDED.available + stock.reserved + stock.frozen + stock.sold`,
      [sale.sku, sale.units],
    );
    await client.query(
      `INSERT INTO inventory.flash_sales (sku, units, per_buyer_limit, gate_shards) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sku) DO UPDATE SET units = EXCLUDED.units, per_buyer_limit = EXCLUDED.per_buyer_limit,
         gate_shards = EXCLUDED.gate_shards, opened_at = now()`,
      [sale.sku, sale.units, sale.perBuyerLimit, sale.gateShards],
    );
    await client.query('DELETE FROM inventory.flash_sale_buyers WHERE sku = $1', [sale.sku]);
    await client.query('COMMIT');
    return sale;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

/** The sale of `sku`; refuses 404 `UnknownSale` when none was opened. */
export async function getSale(pool: Pool, sku: string): Promise<FlashSale> {
  const { rows } = await pool.query<FlashSale>(
    `SELECT sku, units, per_buyer_limit AS "perBuyerLimit", gate_shards AS "gateShards"
     FROM inventory.flash_sales WHERE sku = $1`,
    [sku],
  );
  if (rows[0] === undefined) throw new BusinessError('UnknownSale', `no flash sale of ${sku}`, 404);
  return rows[0];
}

/** Every sale with the last change to its stock, for the scheduled comparison of gate and database. */
export async function listSales(pool: Pool): Promise<{ sku: string; openedAt: string; lastChangeAt: string }[]> {
  const { rows } = await pool.query<{ sku: string; openedAt: Date; lastChangeAt: Date }>(
    `SELECT f.sku, f.opened_at AS "openedAt", greatest(s.updated_at, f.opened_at) AS "lastChangeAt"
     FROM inventory.flash_sales f JOIN inventory.stock s USING (sku) ORDER BY f.sku`,
  );
  return rows.map((r) => ({
    sku: r.sku,
    openedAt: r.openedAt.toISOString(),
    lastChangeAt: r.lastChangeAt.toISOString(),
  }));
}

/** The sale, its stock and its buyers, read in one snapshot. */
export async function saleLedger(pool: Pool, sku: string): Promise<SaleLedger> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<FlashSale & { available: number; frozen: number; sold: number }>(
      `SELECT f.sku, f.units, f.per_buyer_limit AS "perBuyerLimit", f.gate_shards AS "gateShards",
              s.available, s.frozen, s.sold
       FROM inventory.flash_sales f JOIN inventory.stock s USING (sku) WHERE f.sku = $1`,
      [sku],
    );
    const row = rows[0];
    if (row === undefined) throw new BusinessError('UnknownSale', `no flash sale of ${sku}`, 404);
    const held = await client.query<{ buyer_id: string; units: number }>(
      'SELECT buyer_id, units FROM inventory.flash_sale_buyers WHERE sku = $1 AND units > 0',
      [sku],
    );
    await client.query('COMMIT');
    const { available, frozen, sold, ...sale } = row;
    return { sale, available, frozen, sold, buyers: new Map(held.rows.map((r) => [r.buyer_id, r.units])) };
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}
