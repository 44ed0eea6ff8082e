import { z } from 'zod';
import { businessId, eachSkuOnce, eachSkuOnceMessage, quantity, sku } from '../fields';

/** The inventory service's wire: stock, reservations, returns and the TCC freeze. */

/** 1-100 lines, each SKU once. */
export const itemList = z
  .array(z.object({ sku, quantity }))
  .min(1, 'must list at least one item')
  .max(100, 'must list at most 100 items')
  .refine(eachSkuOnce, eachSkuOnceMessage);

export const stockLevelRequest = z.object({ available: z.number().int().min(0).max(1_000_000_000) });
export const reserveRequest = z.object({ reservationId: businessId, items: itemList });
export type ReserveRequest = z.infer<typeof reserveRequest>;
export const returnRequest = z.object({ returnId: businessId, items: itemList });
/** TCC try: freeze these lines. */
export const freezeRequest = z.object({ items: itemList });

const stockLine = z.object({ sku: z.string(), quantity: z.number().int() });
export type StockLine = z.infer<typeof stockLine>;

export const reservation = z.object({
  reservationId: z.string(),
  status: z.enum(['RESERVED', 'SOLD', 'RELEASED']),
  items: z.array(stockLine),
});
export type Reservation = z.infer<typeof reservation>;

/** A release: the reservation, and whether this call put its items back. */
export const releasedReservation = reservation.extend({ returned: z.boolean() });
/** A sale of a paid order's reservation: the reservation, and whether this call sold it. */
export const soldReservation = reservation.extend({ sold: z.boolean() });

/** What a reservation could still take back: each line less what earlier returns took. */
export const returnableItems = reservation.extend({ returnable: z.array(stockLine) });
export type ReturnableItems = z.infer<typeof returnableItems>;

export const returnedItems = z.object({ reservationId: z.string(), returnId: z.string(), items: z.array(stockLine) });

/** TCC results: what a try froze, what a confirm sold or a cancel unfroze. */
export const frozenStock = z.object({ frozen: z.array(stockLine) });
export const settledStock = z.object({ lines: z.array(stockLine) });
