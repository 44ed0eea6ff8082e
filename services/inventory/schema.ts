import { z } from 'zod';

import { businessId, quantity, sku } from '../../contracts/fields';

export { businessId, sku };

export const stockLevelInput = z.object({ available: z.number().int().min(0).max(1_000_000_000) });

/** 1-100 lines, each SKU once. */
const itemList = z
  .array(z.object({ sku, quantity }))
  .min(1, 'must list at least one item')
  .max(100, 'must list at most 100 items')
  .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'must not list a SKU twice');

export const reserveInput = z.object({ reservationId: businessId, items: itemList });
export type ReserveInput = z.infer<typeof reserveInput>;

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

export interface Reservation {
  reservationId: string;
  status: 'RESERVED' | 'RELEASED';
  items: { sku: string; quantity: number }[];
}

/**
 * Byte order of SKUs, the order of `ORDER BY sku COLLATE "C"` in PostgreSQL:
 * every code path locks stock rows in this one order, so concurrent operations cannot deadlock.
 */
export const bySku = (a: { sku: string }, b: { sku: string }) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0);

export const returnInput = z.object({ returnId: businessId, items: itemList });
