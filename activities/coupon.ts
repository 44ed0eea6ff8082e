import { callService, tccCalls, type ServiceClientDeps, type TccCall } from './http';

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

/** TCC activities of coupons: try locks (and answers the discount), confirm redeems, cancel unlocks. */
export function createCouponTccActivities(deps: ServiceClientDeps) {
  const tcc = tccCalls(deps);
  return {
    tryLockCoupon: async (input: TccCall & { code: string }) =>
      (await tcc(input, 'try', { code: input.code })) as { result?: { discountCents: number } },
    confirmCoupon: (input: TccCall) => tcc(input, 'confirm'),
    cancelCouponLock: (input: TccCall) => tcc(input, 'cancel'),
  };
}
