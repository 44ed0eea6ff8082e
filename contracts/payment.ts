import { z } from 'zod';
import { businessId, cardNumber, currency, maxMinorUnits, positiveCents, quantity, sku } from './fields';

/** The order's lines, whose every price is bounded, must also total within the money bound. */
export function withinMoneyBound(items: readonly { quantity: number; unitPriceCents: number }[]): boolean {
  return subtotalCents({ items }) <= maxMinorUnits;
}
/** Said of an order's items when they total past the bound. */
export const totalBoundMessage = `must total at most ${maxMinorUnits} cents (the 64-bit money bound)`;

/** What starts a payment saga: the order, its lines, an optional coupon and the card. */
export const paymentSagaInput = z
  .object({
    orderId: businessId,
    customerId: businessId,
    currency,
    items: z
      .array(z.object({ sku, quantity, unitPriceCents: positiveCents }))
      .min(1, 'must list at least one item')
      .max(50, 'must list at most 50 items')
      .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'must not list a SKU twice')
      .refine(withinMoneyBound, totalBoundMessage),
    couponCode: businessId.optional(),
    card: z.object({ number: cardNumber }),
  })
  .strict();

export type PaymentSagaInput = z.infer<typeof paymentSagaInput>;

export interface PaymentSagaResult {
  orderId: string;
  status: 'PAID';
  chargeId: string | null;
  amountCents: number;
  discountCents: number;
  points: number;
  shipmentId: string;
}

/** Sum of the lines, in cents. */
export function subtotalCents(input: { items: readonly { quantity: number; unitPriceCents: number }[] }): number {
  return input.items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
}

/** One reward point per whole currency unit charged. */
export function pointsFor(amountCents: number): number {
  return Math.floor(amountCents / 100);
}
