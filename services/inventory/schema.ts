import { z } from 'zod';

export const sku = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
export const businessId = z
  .string()
  .regex(/^[A-Za-z0-9:._-]{1,200}$/, 'must be 1-200 letters, digits, ":", ".", "_" or "-"');

export const stockLevelInput = z.object({ available: z.number().int().min(0).max(1_000_000_000) });

export const reserveInput = z.object({
  reservationId: businessId,
  items: z
    .array(z.object({ sku, quantity: z.number().int().min(1).max(10_000) }))
    .min(1, 'must list at least one item')
    .max(100, 'must list at most 100 items')
    .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'must not list a SKU twice'),
});
export type ReserveInput = z.infer<typeof reserveInput>;

export interface StockLevel {
  sku: string;
  available: number;
  reserved: number;
}

export interface Reservation {
  reservationId: string;
  status: 'RESERVED' | 'RELEASED';
  items: { sku: string; quantity: number }[];
}
