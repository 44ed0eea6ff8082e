import { callService, type ServiceClientDeps } from './http';

/** Coupon activities. Refusal: `CouponInvalid` (unknown or already used). */
export function createCouponActivities(deps: ServiceClientDeps) {
  const path = (code: string, op: string) => `/coupons/${encodeURIComponent(code)}/${op}`;
  return {
    async lockCoupon(input: {
      code: string;
      orderId: string;
      idempotencyKey: string;
    }): Promise<{ discountCents: number }> {
      return callService(deps, {
        method: 'POST',
        path: path(input.code, 'lock'),
        body: { orderId: input.orderId },
        idempotencyKey: input.idempotencyKey,
      });
    },
    /** Unlocks the coupon if this order holds it; otherwise a no-op. */
    async releaseCoupon(input: { code: string; orderId: string; idempotencyKey: string }): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: path(input.code, 'release'),
        body: { orderId: input.orderId },
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}
