export interface StockLevel {
  sku: string;
  available: number;
  /** Held by saga reservations. */
  reserved: number;
  /** Held by TCC tries. */
  frozen: number;
  sold: number;
  /** available + reserved + frozen + sold, kept by a table constraint. */
  stocked: number;
}

/**
 * Byte order of SKUs, the order of `ORDER BY sku COLLATE "C"` in PostgreSQL:
 * every code path locks stock rows in this one order, so concurrent operations cannot deadlock.
 */
export const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);
