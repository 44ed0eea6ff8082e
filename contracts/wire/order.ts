import { z } from 'zod';
import { businessId, cents, currency, derivedId, positiveCents, quantity, sku } from '../fields';
import { totalBoundMessage, withinMoneyBound } from '../payment';

/** The order service's wire: `POST /orders/:id/validate|cancel|mark-paid|refunds`, `GET /orders…`. */

export const orderLine = z.object({ sku, quantity, unitPriceCents: positiveCents });

export const validateOrderRequest = z.object({
  customerId: businessId,
  currency,
  items: z
    .array(orderLine)
    .min(1, 'must list at least one item')
    .max(50, 'must list at most 50 items')
    .refine(withinMoneyBound, totalBoundMessage),
  couponCode: businessId.optional(),
  /**
   * The workflow id of the flow that pays the order (`payment:o-1`, `checkout:o-1`): the first claims
   * the order, another is refused with 409 `OrderOwnedByFlow`. Left out, nothing is claimed.
   */
  flow: derivedId.optional(),
});

export const cancelOrderRequest = z.object({ reason: z.string().min(1).max(2000) });

export const markPaidRequest = z.object({
  /** The charge that paid it; absent when nothing was charged to a card (fully discounted or wallet). */
  chargeId: businessId.optional(),
  amountCents: cents,
  /** The part charged to the card (default: all of it). */
  cardCents: cents.optional(),
});

export const recordRefundRequest = z.object({ refundId: businessId, amountCents: positiveCents });

/** `GET /orders?paidFrom=&paidTo=`: the orders paid in [paidFrom, paidTo). */
export const paidWindow = z
  .object({ paidFrom: z.iso.datetime({ offset: true }), paidTo: z.iso.datetime({ offset: true }) })
  .refine((w) => Date.parse(w.paidFrom) < Date.parse(w.paidTo), {
    message: 'paidFrom must be before paidTo',
    path: ['paidFrom'],
  });

/** `GET /orders?ids=a,b`: at most 500 ids. */
export const idList = z
  .string()
  .transform((v) => v.split(','))
  .pipe(z.array(businessId).min(1).max(500, 'must list at most 500 ids'));

export const orderStatuses = ['PENDING', 'PAID', 'PARTIALLY_REFUNDED', 'REFUNDED', 'CANCELLED'] as const;

/** An order as the order service keeps it. */
export const order = z.object({
  orderId: z.string(),
  customerId: z.string(),
  currency: z.string(),
  items: z.array(orderLine),
  subtotalCents: z.number().int(),
  couponCode: z.string().nullable(),
  status: z.enum(orderStatuses),
  cancelReason: z.string().nullable(),
  /** Null until paid, and when it was paid without a card charge. */
  chargeId: z.string().nullable(),
  paidCents: z.number().int().nullable(),
  cardCents: z.number().int().nullable(),
  paidAt: z.string().nullable(),
  refundedCents: z.number().int(),
});
export type Order = z.infer<typeof order>;

/** What cancelling answers: the order (and whether this call cancelled it), or that there is none. */
export const cancelledOrder = z.union([
  order.extend({ cancelled: z.boolean() }),
  z.object({ orderId: z.string(), cancelled: z.literal(false) }),
]);

export const orderList = z.array(order);
