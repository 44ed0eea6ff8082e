import { z } from 'zod';
import { businessId, currency, maxMinorUnits, paymentMethodToken, positiveCents, quantity, sku } from './fields';

/** The order's lines, whose every price is bounded, must also total within the money bound. */
export function withinMoneyBound(items: readonly { quantity: number; unitPriceCents: number }[]): boolean {
  return subtotalCents({ items }) <= maxMinorUnits;
}
/** Said of an order's items when they total past the bound. */
export const totalBoundMessage = `must total at most ${maxMinorUnits} cents (the 64-bit money bound)`;

/**
 * What starts a payment saga: the order, its lines, an optional coupon and the payment method to
 * charge (a token from the gateway's vault; a card number is refused).
 */
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
    paymentMethod: paymentMethodToken,
  })
  .strict();

export type PaymentSagaInput = z.infer<typeof paymentSagaInput>;

/**
 * What a flow charges: a vault token, or, for a run started before tokens, the card number it was
 * started with (the payments activity vaults that one first).
 */
export type PaymentSource = { paymentMethod: string } | { cardNumber: string };

/**
 * The fields a flow's own input parse adds to its schema so runs started before tokens still
 * replay and finish: `card.number` in place of `paymentMethod`. No edge accepts it (a card number
 * is refused there); see `runInput`.
 */
const legacyCard = {
  paymentMethod: paymentMethodToken.optional(),
  card: z.object({ number: z.string() }).strict().optional(),
};
const oneSource = (i: { paymentMethod?: string; card?: unknown }) =>
  (i.paymentMethod === undefined) !== (i.card === undefined);
const oneSourceRule = { message: 'must be a payment-method token (pm_…)', path: ['paymentMethod'] };

/** A flow schema as its workflow parses it: the edge's schema, or the pre-token shape with a card. */
export function runInput<T extends z.ZodRawShape & { paymentMethod: typeof paymentMethodToken }>(
  schema: z.ZodObject<T, z.core.$strict>,
) {
  // The extended shape's output is generic here; it has both fields, as `legacyCard` says.
  return schema.extend(legacyCard).refine((i) => oneSource(i as Parameters<typeof oneSource>[0]), oneSourceRule);
}

/** The payment source of a parsed run input. */
export function paymentSourceOf(input: { paymentMethod?: string; card?: { number: string } }): PaymentSource {
  return input.card !== undefined ? { cardNumber: input.card.number } : { paymentMethod: input.paymentMethod ?? '' };
}

export const paymentSagaRunInput = runInput(paymentSagaInput);
export type PaymentSagaRunInput = z.infer<typeof paymentSagaRunInput>;

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
