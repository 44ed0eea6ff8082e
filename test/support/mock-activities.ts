import type { Activities } from '../../activities';

/** What activity `K` answers, read from its real signature. */
export type Answer<K extends keyof Activities> = Awaited<ReturnType<Activities[K]>>;

/** A complete gateway charge (captured, 45.00 EUR) with `over` applied. */
export const aCharge = (over: Partial<Answer<'getCharge'>> = {}): Answer<'getCharge'> => ({
  chargeId: 'charge:o-1',
  orderId: 'o-1',
  reference: 'payment:o-1',
  amountCents: 4500,
  refundedCents: 0,
  currency: 'EUR',
  cardLast4: '4242',
  status: 'CAPTURED',
  failureCode: null,
  sequence: 2,
  voidable: false,
  pendingRefundCents: 0,
  ...over,
});

/** A complete order (paid 50.00 EUR by card) with `over` applied. */
export const anOrder = (over: Partial<Answer<'getOrder'>> = {}): Answer<'getOrder'> => ({
  orderId: 'o-1',
  customerId: 'c-1',
  currency: 'EUR',
  items: [{ sku: 'A', quantity: 1, unitPriceCents: 5000 }],
  subtotalCents: 5000,
  couponCode: null,
  status: 'PAID',
  cancelReason: null,
  chargeId: `charge:${over.orderId ?? 'o-1'}`,
  paidCents: 5000,
  cardCents: 100_000,
  paidAt: '2026-01-01T00:00:00.000Z',
  refundedCents: 0,
  ...over,
});

/** A complete stock release (nothing was held) with `over` applied. */
export const aRelease = (over: Partial<Answer<'releaseStock'>> = {}): Answer<'releaseStock'> => ({
  reservationId: 'o-1',
  status: 'RELEASED',
  items: [],
  returned: true,
  ...over,
});

/**
 * A plausible answer for every activity, typed against the real `Activities`: when a signature
 * changes in activities/, this table (and every override) stops compiling instead of drifting.
 */
function defaults(): Activities {
  return {
    validateOrder: async (i) =>
      anOrder({
        orderId: i.orderId,
        customerId: i.customerId,
        currency: i.currency,
        items: i.items,
        status: 'PENDING',
        chargeId: null,
        paidCents: null,
        cardCents: null,
        paidAt: null,
      }),
    cancelOrder: async (i) => ({
      ...anOrder({ orderId: i.orderId, status: 'CANCELLED', cancelReason: i.reason, chargeId: null, paidAt: null }),
      cancelled: true,
    }),
    markOrderPaid: async (i) => anOrder({ orderId: i.orderId, chargeId: i.chargeId, paidCents: i.amountCents }),
    reserveStock: async (i) => ({ reservationId: i.reservationId, status: 'RESERVED', items: i.items }),
    releaseStock: async (i) => aRelease({ reservationId: i.reservationId }),
    sellStock: async (i) => ({ reservationId: i.reservationId, status: 'SOLD', items: [], sold: true }),
    // A gateway that settles at once: flows then never wait for a callback unless a test says so.
    chargeCard: async (i) => aCharge({ ...i, reference: i.reference ?? `payment:${i.orderId}` }),
    getCharge: async (i) => aCharge({ chargeId: i.chargeId }),
    refundCharge: async (i) => ({ chargeId: i.chargeId, status: 'VOIDED', existed: false }),
    createRefund: async (i) => ({
      refundId: i.refundId,
      chargeId: i.chargeId,
      amountCents: i.amountCents,
      status: 'PENDING',
    }),
    fetchStatement: async () => [],
    purgeExpired: async () => ({ removed: {}, more: false }),
    storeRetentionReport: async (i) => i,
    findOrders: async () => [],
    getRefund: async (i) => ({ refundId: i.refundId, chargeId: 'charge:o-1', amountCents: 1000, status: 'SUCCEEDED' }),
    getOrder: async (i) => anOrder({ orderId: i.orderId }),
    recordRefund: async (i) => anOrder({ orderId: i.orderId, status: 'PARTIALLY_REFUNDED' }),
    revokePoints: async (i) => ({ entryId: i.entryId, points: i.points, revoked: i.points, debt: 0 }),
    // A sold order of 5 × A and 5 × B, nothing returned yet.
    returnableItems: async (i) => {
      const lines = [
        { sku: 'A', quantity: 5 },
        { sku: 'B', quantity: 5 },
      ];
      return { reservationId: i.reservationId, status: 'SOLD', items: lines, returnable: lines };
    },
    returnItems: async (i) => ({ reservationId: i.reservationId, returnId: i.returnId, items: i.items }),
    holdBudget: async (i) => ({ holdId: i.holdId, status: 'HELD' }),
    commitBudget: async (i) => ({ holdId: i.holdId, status: 'COMMITTED' }),
    releaseBudget: async (i) => ({ holdId: i.holdId, status: 'RELEASED' }),
    notify: async (i) => ({ notificationId: i.notificationId }),
    recordDecision: async ({ idempotencyKey: _key, ...i }) => ({ ...i, recorded: true }),
    gatherReconciliationData: async (i) => ({ ...i, orders: {}, charges: {}, flows: {}, orphans: [] }),
    storeReconciliationReport: async (i) => ({
      ...i,
      findings: i.findings.map((f) => ({ ...f, new: true })),
      createdAt: new Date().toISOString(),
      orphansHandled: [],
      summary: { findings: i.findings.length, new: i.findings.length, repaired: i.repaired.length, flagged: 0 },
    }),
    awardPoints: async (i) => ({ entryId: i.entryId, points: i.points, awarded: true }),
    lockCoupon: async (i) => ({ code: i.code, discountCents: 500, status: 'LOCKED', orderId: i.orderId }),
    redeemCoupon: async (i) => ({ code: i.code, discountCents: 500, status: 'REDEEMED', orderId: i.orderId }),
    releaseCoupon: async (i) => ({ code: i.code, released: true }),
    createShipment: async (i) => ({ shipmentId: i.shipmentId, orderId: i.orderId, items: i.items, status: 'CREATED' }),
    tryFreezeStock: async () => ({ outcome: 'applied' }),
    confirmFrozenStock: async () => ({ outcome: 'applied' }),
    cancelFrozenStock: async () => ({ outcome: 'applied' }),
    returnGateUnit: async (i) => ({ orderId: i.orderId, returned: true }),
    checkFlashSaleGates: async () => ({ checked: [], running: [] }),
    tryFreezeBalance: async () => ({ outcome: 'applied' }),
    confirmFrozenBalance: async () => ({ outcome: 'applied' }),
    cancelFrozenBalance: async () => ({ outcome: 'applied' }),
    tryLockCoupon: async (i) => ({ outcome: 'applied', result: { code: i.code, discountCents: 500 } }),
    confirmCoupon: async () => ({ outcome: 'applied' }),
    cancelCouponLock: async () => ({ outcome: 'applied' }),
  };
}

/**
 * Mocked activities for workflow tests: every call is recorded by name in order, answers are
 * plausible defaults, and `overrides` replace single activities (to fail, block or count); an
 * override must have the real activity's signature.
 */
export function mockActivities(overrides: Partial<Activities> = {}): { calls: string[]; activities: Activities } {
  const calls: string[] = [];
  const table: Activities = { ...defaults(), ...overrides };
  // Recording through proxies keeps each activity's own type: no cast stands between the mocks
  // and `Activities`. The worker reads the table once, plain callers at every call; both record.
  const activities = new Proxy(table, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      return new Proxy(value, {
        apply(impl, self, args) {
          calls.push(name);
          return Reflect.apply(impl, self, args);
        },
      });
    },
  });
  return { calls, activities };
}

/** The calls that are compensations, in the order they ran. */
export const compensationNames: readonly (keyof Activities)[] = [
  'cancelOrder',
  'releaseStock',
  'releaseCoupon',
  'refundCharge',
  'cancelFrozenStock',
  'returnGateUnit',
  'cancelFrozenBalance',
  'cancelCouponLock',
  'releaseBudget',
];
export const compensationsIn = (calls: string[]): string[] =>
  calls.filter((c) => compensationNames.some((name) => name === c));
