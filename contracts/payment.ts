import { z } from 'zod';
import { businessId, cardNumber, currency, positiveCents, quantity, sku } from './fields';

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
      .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'must not list a SKU twice'),
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
export function subtotalCents(input: Pick<PaymentSagaInput, 'items'>): number {
  return input.items.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);
}

/** One reward point per whole currency unit charged. */
export function pointsFor(amountCents: number): number {
  return Math.floor(amountCents / 100);
}
