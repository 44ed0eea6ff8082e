import { z } from 'zod';
import { runInput } from './payment';
import { businessId, currency, paymentMethodToken, positiveCents, quantity, sku } from './fields';

/** One buyer's purchase of a hot SKU. */
export const flashSaleInput = z
  .object({
    orderId: businessId,
    customerId: businessId,
    currency,
    sku,
    quantity,
    unitPriceCents: positiveCents,
    paymentMethod: paymentMethodToken,
    /** How long the stock may take to freeze before the purchase gives up (default 30 s). */
    tryTimeoutMs: z.number().int().min(100).max(600_000).optional(),
  })
  .strict();

export type FlashSaleInput = z.infer<typeof flashSaleInput>;
/** As the flash-sale workflow parses it (runs started before tokens carry a card; see `runInput`). */
export const flashSaleRunInput = runInput(flashSaleInput);
export interface FlashSaleResult {
  orderId: string;
  status: 'PAID';
  chargeId: string;
  amountCents: number;
}
