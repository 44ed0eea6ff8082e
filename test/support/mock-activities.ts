import type { Activities } from '../../activities';

type Impl = (input: any) => Promise<unknown>;

/**
 * Mocked activities for workflow tests: every call is recorded by name in order, answers are
 * plausible defaults, and `overrides` replace single activities (to fail, block or count).
 */
export function mockActivities(overrides: Partial<Record<keyof Activities, Impl>> = {}) {
  const calls: string[] = [];
  const defaults: Record<keyof Activities, Impl> = {
    validateOrder: async (i) => ({ orderId: i.orderId, status: 'PENDING' }),
    cancelOrder: async (i) => ({ orderId: i.orderId, cancelled: true }),
    markOrderPaid: async (i) => ({ orderId: i.orderId, status: 'PAID' }),
    reserveStock: async (i) => ({ reservationId: i.reservationId, status: 'RESERVED', items: i.items }),
    releaseStock: async (i) => ({ reservationId: i.reservationId, status: 'RELEASED', items: [], returned: true }),
    // A gateway that settles at once: flows then never wait for a callback unless a test says so.
    chargeCard: async (i) => ({ ...i, status: 'CAPTURED', sequence: 2, refundedCents: 0, cardLast4: '4242' }),
    getCharge: async (i) => ({ chargeId: i.chargeId, status: 'CAPTURED', sequence: 2, refundedCents: 0 }),
    refundCharge: async (i) => ({ chargeId: i.chargeId, status: 'VOIDED', existed: false }),
    createRefund: async (i) => ({
      refundId: i.refundId,
      chargeId: i.chargeId,
      amountCents: i.amountCents,
      status: 'PENDING',
    }),
    fetchStatement: async () => [],
    findOrders: async () => [],
    getRefund: async (i) => ({ refundId: i.refundId, status: 'SUCCEEDED' }),
    getOrder: async (i) => ({
      orderId: i.orderId,
      status: 'PAID',
      chargeId: `charge:${i.orderId}`,
      customerId: 'c-1',
      currency: 'EUR',
      cardCents: 100_000,
      paidCents: 5000,
      refundedCents: 0,
    }),
    recordRefund: async (i) => ({ orderId: i.orderId, status: 'PARTIALLY_REFUNDED' }),
    revokePoints: async (i) => ({ entryId: i.entryId, points: i.points, revoked: i.points, debt: 0 }),
    returnItems: async (i) => ({ reservationId: i.reservationId, returnId: i.returnId, items: i.items }),
    holdBudget: async (i) => ({ holdId: i.holdId, status: 'HELD' }),
    commitBudget: async (i) => ({ holdId: i.holdId, status: 'COMMITTED' }),
    releaseBudget: async (i) => ({ holdId: i.holdId, status: 'RELEASED' }),
    notify: async (i) => ({ notificationId: i.notificationId }),
    gatherReconciliationData: async (i) => ({ ...i, orders: {}, charges: {}, flows: {}, orphans: [] }),
    storeReconciliationReport: async (i) => ({ ...i, createdAt: new Date().toISOString(), orphansHandled: [] }),
    awardPoints: async (i) => ({ entryId: i.entryId, points: i.points, awarded: true }),
    lockCoupon: async () => ({ discountCents: 500 }),
    releaseCoupon: async (i) => ({ code: i.code, released: true }),
    createShipment: async (i) => ({ shipmentId: i.shipmentId, status: 'CREATED' }),
    tryFreezeStock: async () => ({ outcome: 'applied' }),
    confirmFrozenStock: async () => ({ outcome: 'applied' }),
    cancelFrozenStock: async () => ({ outcome: 'applied' }),
    tryFreezeBalance: async () => ({ outcome: 'applied' }),
    confirmFrozenBalance: async () => ({ outcome: 'applied' }),
    cancelFrozenBalance: async () => ({ outcome: 'applied' }),
    tryLockCoupon: async () => ({ outcome: 'applied', result: { discountCents: 500 } }),
    confirmCoupon: async () => ({ outcome: 'applied' }),
    cancelCouponLock: async () => ({ outcome: 'applied' }),
  };
  const activities = Object.fromEntries(
    Object.entries(defaults).map(([name, impl]) => [
      name,
      async (input: unknown) => {
        calls.push(name);
        return (overrides[name as keyof Activities] ?? impl)(input);
      },
    ]),
  ) as unknown as Activities;
  return { calls, activities };
}

/** The calls that are compensations, in the order they ran. */
export const compensationNames = [
  'cancelOrder',
  'releaseStock',
  'releaseCoupon',
  'refundCharge',
  'cancelFrozenStock',
  'cancelFrozenBalance',
  'cancelCouponLock',
  'releaseBudget',
];
export const compensationsIn = (calls: string[]) => calls.filter((c) => compensationNames.includes(c));
