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
    /**
     * True when the flash-sale gate admitted this order (`purchaseFlashSale`): the freeze is then
     * for `customerId` (the database checks the per-buyer limit), and a failed purchase gives its
     * unit back to the gate.
     */
    gated: z.boolean().optional(),
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

/** Input of the scheduled comparison of the flash-sale gate with the database. */
export const flashSaleGateCheckInput = z
  .object({
    /** A sale counts as over once its stock has not changed for this long (default 1 minute). */
    quietMs: z.number().int().min(0).max(86_400_000).optional(),
  })
  .strict();
export type FlashSaleGateCheckInput = z.infer<typeof flashSaleGateCheckInput>;

/** One sale whose gate does not agree with the database once the sale is over. */
export interface GateDrift {
  sku: string;
  /** Gate remaining minus database available (negative: the gate would sell fewer). */
  units: number;
  /** Units the gate counts for buyers minus those the database counts. */
  buyerUnits: number;
}
export interface FlashSaleGateCheckReport {
  /** Sales compared (over), and sales skipped because their stock is still changing. */
  checked: string[];
  running: string[];
  drift: GateDrift[];
}
