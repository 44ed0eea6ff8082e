import { coupon, couponReleased, lockedCoupon, redeemedCoupon, unlockedCoupon } from '../contracts/wire/coupon';
import { tccOutcome } from '../contracts/wire/tcc';
import { callService, tccCalls, type ServiceClientDeps, type TccCall } from './http';

/** Coupon activities. Refusals: `CouponInvalid` (unknown or already used), `CouponNotLocked`. */
export function createCouponActivities(deps: ServiceClientDeps) {
  const path = (code: string, op: string) => `/coupons/${encodeURIComponent(code)}/${op}`;
  return {
    async lockCoupon(input: { code: string; orderId: string; idempotencyKey: string }) {
      return callService(
        deps,
        {
          method: 'POST',
          path: path(input.code, 'lock'),
          body: { orderId: input.orderId },
          idempotencyKey: input.idempotencyKey,
        },
        coupon,
      );
    },
    /** Redeems the coupon this order holds locked, after the payment's pivot. Refusal: `CouponNotLocked`. */
    async redeemCoupon(input: { code: string; orderId: string; idempotencyKey: string }) {
      return callService(
        deps,
        {
          method: 'POST',
          path: path(input.code, 'redeem'),
          body: { orderId: input.orderId },
          idempotencyKey: input.idempotencyKey,
        },
        coupon,
      );
    },
    /** Unlocks the coupon if this order holds it; otherwise a no-op. */
    async releaseCoupon(input: { code: string; orderId: string; idempotencyKey: string }) {
      return callService(
        deps,
        {
          method: 'POST',
          path: path(input.code, 'release'),
          body: { orderId: input.orderId },
          idempotencyKey: input.idempotencyKey,
        },
        couponReleased,
      );
    },
  };
}

/** TCC activities of coupons: try locks (and answers the discount), confirm redeems, cancel unlocks. */
export function createCouponTccActivities(deps: ServiceClientDeps) {
  const tcc = tccCalls(deps);
  return {
    tryLockCoupon: (input: TccCall & { code: string }) =>
      tcc(input, 'try', tccOutcome(lockedCoupon), { code: input.code }),
    confirmCoupon: (input: TccCall) => tcc(input, 'confirm', tccOutcome(redeemedCoupon)),
    cancelCouponLock: (input: TccCall) => tcc(input, 'cancel', tccOutcome(unlockedCoupon)),
  };
}
