import { z } from 'zod';
import { businessId, cardNumber, currency, paymentMethodToken, positiveCents } from '../fields';
import { allowCardNumbers } from '../validation';
import { gatewayCharge } from '../gateway';

/**
 * The payments gateway's wire (the simulator stands in for the provider): charges, their undo,
 * partial refunds and statements. The charge itself and the callback event are in contracts/gateway.ts.
 */

export { gatewayCharge };

export const chargeRequest = z.object({
  chargeId: businessId,
  orderId: businessId,
  /** The merchant's reference, echoed in every callback: the workflow id that waits for the outcome. */
  reference: businessId.optional(),
  amountCents: positiveCents,
  currency,
  /** The vault's token for the card to charge. */
  paymentMethod: paymentMethodToken,
});
export type ChargeRequest = z.infer<typeof chargeRequest>;

const thisYear = () => new Date().getUTCFullYear();

/**
 * `POST /payment-methods`: the card, into the vault. The only request of ours that may carry a card
 * number; it answers a token and the card's non-secret facts (`paymentMethod`).
 */
export const paymentMethodRequest = allowCardNumbers(
  z
    .object({
      number: cardNumber,
      expMonth: z.number().int().min(1, 'must be a month, 1-12').max(12, 'must be a month, 1-12'),
      expYear: z.number().int().min(2000).max(2100),
    })
    .strict()
    .refine((c) => c.expYear > thisYear() || (c.expYear === thisYear() && c.expMonth >= new Date().getUTCMonth() + 1), {
      message: 'must not be in the past (the card has expired)',
      path: ['expYear'],
    }),
);
export type PaymentMethodRequest = z.infer<typeof paymentMethodRequest>;

/** A payment method in the vault: its token and what may be shown of the card. */
export const paymentMethod = z.object({
  paymentMethod: z.string(),
  brand: z.string(),
  last4: z.string(),
  expMonth: z.number().int(),
  expYear: z.number().int(),
});
export type PaymentMethod = z.infer<typeof paymentMethod>;

export const refundRequest = z.object({
  refundId: businessId,
  amountCents: positiveCents,
  /** The workflow its callback goes to; default: the charge's reference. */
  reference: businessId.optional(),
});
export type RefundRequest = z.infer<typeof refundRequest>;

export const statementWindow = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: 'from must be before to', path: ['from'] });

export const chargeList = z.array(gatewayCharge);

/** What undoing a charge answers: the charge as it now is, or a tombstone for one never made. */
export const undoneCharge = z.union([
  gatewayCharge.extend({ existed: z.literal(true) }),
  z.object({ chargeId: z.string(), status: z.literal('VOIDED'), existed: z.literal(false) }),
]);
export type UndoneCharge = z.infer<typeof undoneCharge>;

export const gatewayRefund = z.object({
  refundId: z.string(),
  chargeId: z.string(),
  amountCents: z.number().int(),
  status: z.enum(['PENDING', 'SUCCEEDED']),
});
export type GatewayRefund = z.infer<typeof gatewayRefund>;

/** One settled movement: a capture by its capture time, a refund by its settlement. */
export const statementEntry = z.object({
  type: z.enum(['charge', 'refund']),
  chargeId: z.string(),
  refundId: z.string().nullable(),
  orderId: z.string(),
  amountCents: z.number().int(),
  currency: z.string(),
  at: z.string(),
});
export type StatementEntry = z.infer<typeof statementEntry>;

export const statement = z.object({ from: z.string(), to: z.string(), entries: z.array(statementEntry) });
