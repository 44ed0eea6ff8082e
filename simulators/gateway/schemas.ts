import { z } from 'zod';
import { businessId, cardNumber, currency, positiveCents } from '../../contracts/fields';

export const chargeInput = z.object({
  chargeId: businessId,
  orderId: businessId,
  /** The merchant's reference, echoed in every callback: the workflow id that waits for the outcome. */
  reference: businessId.optional(),
  amountCents: positiveCents,
  currency,
  cardNumber,
});

export const refundInput = z.object({
  refundId: businessId,
  amountCents: positiveCents,
  /** The workflow its callback goes to; default: the charge's reference. */
  reference: businessId.optional(),
});

export const statementWindow = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .refine((w) => Date.parse(w.from) < Date.parse(w.to), { message: 'from must be before to', path: ['from'] });
