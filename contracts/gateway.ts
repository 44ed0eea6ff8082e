import { z } from 'zod';
import { businessId, cents } from './fields';

/** A charge at the payments gateway, from pending to one of its final states. */
export const chargeStatuses = ['PENDING', 'CAPTURED', 'FAILED', 'VOIDED', 'REFUNDED'] as const;
export type ChargeStatus = (typeof chargeStatuses)[number];

/** True once the gateway will not change its mind about the charge's money (a refund aside). */
export const isSettled = (status: ChargeStatus): boolean => status !== 'PENDING';

export const gatewayEventTypes = [
  'charge.processing',
  'charge.succeeded',
  'charge.failed',
  'refund.succeeded',
] as const;

/**
 * The body of a gateway callback. `sequence` orders the events of one charge (a later event has a
 * higher number), so a receiver can ignore one that arrives after a newer one.
 */
export const gatewayEvent = z
  .object({
    eventId: z.string().regex(/^evt_[A-Za-z0-9_-]{1,100}$/, 'must be evt_ followed by 1-100 letters or digits'),
    type: z.enum(gatewayEventTypes),
    chargeId: businessId,
    orderId: businessId,
    /** The merchant's reference given at create: the workflow id that waits for the outcome. */
    reference: businessId,
    refundId: businessId.optional(),
    sequence: z.number().int().min(1),
    status: z.enum(chargeStatuses),
    amountCents: cents,
    refundedCents: cents,
    failureCode: z.string().max(100).optional(),
    occurredAt: z.iso.datetime({ offset: true }),
  })
  .strict();

export type GatewayEvent = z.infer<typeof gatewayEvent>;

/** What the gateway answers for a charge (create, status query, void). */
export const gatewayCharge = z.object({
  chargeId: z.string(),
  orderId: z.string(),
  reference: z.string(),
  amountCents: z.number().int(),
  refundedCents: z.number().int(),
  currency: z.string(),
  cardLast4: z.string(),
  status: z.enum(chargeStatuses),
  failureCode: z.string().nullable(),
  /** The sequence number of the charge's latest state, comparable with its events'. */
  sequence: z.number().int(),
  /** False while pending for a payment method the provider cannot stop. */
  voidable: z.boolean(),
  /** Refunds asked for and not yet settled. */
  pendingRefundCents: z.number().int(),
});
export type GatewayCharge = z.infer<typeof gatewayCharge>;
