import { z } from 'zod';
import { businessId, cents, points, positiveCents } from '../fields';

/** The wallet's wire: reward points, the stored balance, and its TCC freeze. */

/** `POST /points/award` and `/points/revoke`: once per entry id. */
export const pointsRequest = z.object({
  entryId: businessId,
  customerId: businessId,
  orderId: businessId,
  points,
});
export const pointsAwarded = z.object({ entryId: z.string(), points: z.number().int(), awarded: z.boolean() });
/** `revoked` came off the balance, `debt` is owed from later awards. */
export const pointsRevoked = z.object({
  entryId: z.string(),
  points: z.number().int(),
  revoked: z.number().int(),
  debt: z.number().int(),
});

export const balanceRequest = z.object({ balanceCents: cents });
/** TCC try: freeze this amount of the customer's balance. */
export const freezeBalanceRequest = z.object({ customerId: businessId, amountCents: positiveCents });
export const frozenBalance = z.object({ frozenCents: z.number().int() });
export const settledBalance = z.object({ settledCents: z.number().int() });
