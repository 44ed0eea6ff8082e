import { z } from 'zod';
import { businessId, cents } from '../fields';

/** The coupon service's wire: lock and release for an order, and the TCC lock. */

export const couponOrderRequest = z.object({ orderId: businessId });
export const couponSeedRequest = z.object({ discountCents: cents });
/** TCC try: lock this coupon for the branch. */
export const lockCouponTccRequest = z.object({ code: businessId });

export const coupon = z.object({
  code: z.string(),
  discountCents: z.number().int(),
  status: z.enum(['AVAILABLE', 'LOCKED', 'REDEEMED']),
  orderId: z.string().nullable(),
});
export type Coupon = z.infer<typeof coupon>;
export const couponReleased = z.object({ code: z.string(), released: z.boolean() });

/** TCC results: the try's discount, how many coupons a confirm redeemed or a cancel unlocked. */
export const lockedCoupon = z.object({ code: z.string(), discountCents: z.number().int() });
export const redeemedCoupon = z.object({ redeemed: z.number().int().nullable() });
export const unlockedCoupon = z.object({ unlocked: z.number().int().nullable() });
