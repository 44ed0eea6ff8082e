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
/**
 * TCC try: freeze these lines; with `buyerId`, for that buyer in the SKU's flash sale, whose
 * per-buyer limit the database enforces too.
 */
export const freezeRequest = z.object({ items: itemList, buyerId: businessId.optional() });

/** Opening a flash sale: the units on sale and how many one buyer may buy. */
export const flashSaleRequest = z
  .object({
    units: z.number().int().min(0).max(1_000_000_000),
    perBuyerLimit: z.number().int().min(1).max(1000),
  })
  .strict();
/** One attempt at the gate: this buyer, for this order, this many units. */
export const admissionRequest = z.object({ buyerId: businessId, orderId: businessId, quantity }).strict();
/** The gate let the buyer through: go on to the freeze. `shard` is where the units were taken. */
export const admission = z.object({ admitted: z.literal(true), orderId: z.string(), shard: z.number().int() });
export type Admission = z.infer<typeof admission>;
/** A unit given back to the gate: `returned` is false when it had been given back before (or never taken). */
export const gateReturn = z.object({ orderId: z.string(), returned: z.boolean() });

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

/** What the gate holds for a sale next to what the database says; `drift` is zero when they agree. */
export const gateReport = z.object({
  sku: z.string(),
  gate: z.object({
    remaining: z.number().int(),
    buyerUnits: z.number().int(),
    shards: z.number().int(),
    loadedShards: z.number().int(),
  }),
  database: z.object({
    available: z.number().int(),
    frozen: z.number().int(),
    sold: z.number().int(),
    buyerUnits: z.number().int(),
  }),
  drift: z.object({ units: z.number().int(), buyerUnits: z.number().int() }),
});
export type GateReport = z.infer<typeof gateReport>;
/** The sales, each with the last change to its stock (a sale whose stock is still changing is running). */
export const flashSaleList = z.array(z.object({ sku: z.string(), openedAt: z.string(), lastChangeAt: z.string() }));
