import { z } from 'zod';
import { businessId, cardNumber, currency, positiveCents, quantity, sku } from './fields';

/** One buyer's purchase of a hot SKU. */
export const flashSaleInput = z
  .object({
    orderId: businessId,
    customerId: businessId,
    currency,
    sku,
    quantity,
    unitPriceCents: positiveCents,
    card: z.object({ number: cardNumber }),
    /** How long the stock may take to freeze before the purchase gives up (default 30 s). */
    tryTimeoutMs: z.number().int().min(100).max(600_000).optional(),
    /**
     * True when the flash-sale gate admitted this order (`purchaseFlashSale`): the freeze is then
     * for `customerId` (the database checks the per-buyer limit), and a failed purchase gives its
     * unit back to the gate.
     */
    gated: z.boolean().optional(),
  })
  .strict();

export type FlashSaleInput = z.infer<typeof flashSaleInput>;
export interface FlashSaleResult {
  orderId: string;
  status: 'PAID';
  chargeId: string;
  amountCents: number;
}
