import { describe, expect, it } from 'vitest';
import type { ChargeStatus } from '../../contracts/gateway';
import { classify, type ChargeOnRecord, type OrderView, type ReconciliationData } from '../../contracts/reconciliation';

const charge = (orderId: string, chargeId: string, status: ChargeStatus, over: Partial<ChargeOnRecord> = {}) =>
  ({
    chargeId,
    orderId,
    reference: `payment:${orderId}`,
    amountCents: 1000,
    refundedCents: 0,
    pendingRefundCents: 0,
    currency: 'EUR',
    cardLast4: '4242',
    status,
    failureCode: null,
    sequence: 2,
    voidable: true,
    ...over,
  }) satisfies ChargeOnRecord;
const order = (orderId: string, status: string, chargeId: string | null = null, cardCents: number | null = null) =>
  ({ orderId, status, chargeId, cardCents }) satisfies OrderView;

function data(
  rows: [OrderView | null, ChargeOnRecord[]][],
  flows: ReconciliationData['flows'] = {},
): ReconciliationData {
  const d: ReconciliationData = { from: 'a', to: 'b', orders: {}, charges: {}, flows, orphans: [] };
  rows.forEach(([o, charges], i) => {
    const id = o?.orderId ?? charges[0]?.orderId ?? `unknown-${i}`;
    d.orders[id] = o;
    d.charges[id] = charges;
  });
  return d;
}
const kinds = (d: ReconciliationData, policy: 'refund' | 'complete' = 'refund') =>
  classify(d, policy).findings.map((f) => [f.kind, f.chargeId, f.action]);

describe('classify: the gateway against our orders', () => {
  it('finds nothing when every paid order has exactly its capture', () => {
    expect(kinds(data([[order('o1', 'PAID', 'c1', 1000), [charge('o1', 'c1', 'CAPTURED')]]]))).toEqual([]);
  });

  it('refunds a capture for a cancelled or refunded order; complete only pays a still-pending one', () => {
    const d = data([
      [order('o1', 'CANCELLED'), [charge('o1', 'c1', 'CAPTURED')]],
      [order('o2', 'REFUNDED', 'c2', 1000), [charge('o2', 'c2', 'CAPTURED')]],
      [order('o3', 'PENDING'), [charge('o3', 'c3', 'CAPTURED'), charge('o3', 'c3b', 'CAPTURED')]],
    ]);
    expect(kinds(d)).toEqual([
      ['paid-order-unpaid', 'c1', 'refund'],
      ['paid-order-unpaid', 'c2', 'refund'],
      ['paid-order-unpaid', 'c3', 'refund'],
      ['charged-twice', 'c3b', 'refund'],
    ]);
    expect(kinds(d, 'complete')).toEqual([
      ['paid-order-unpaid', 'c1', 'refund'],
      ['paid-order-unpaid', 'c2', 'refund'],
      ['paid-order-unpaid', 'c3', 'complete-order'],
      ['charged-twice', 'c3b', 'refund'],
    ]);
  });

  it('never refunds a capture for an order it does not know: a completed flow owns it, else it is flagged', () => {
    const flash = { ...charge('f1', 'cf1', 'CAPTURED'), reference: 'flash:f1' };
    const lost = { ...charge('f2', 'cf2', 'CAPTURED'), reference: 'flash:f2' };
    const d = data(
      [
        [null, [flash]],
        [null, [lost]],
      ],
      { 'flash:f1': 'completed', 'flash:f2': 'closed' },
    );
    expect(kinds(d)).toEqual([['paid-order-unpaid', 'cf2', 'flag']]);
  });

  it('keeps a partly refunded order as paid: its remaining capture is not refunded again', () => {
    const d = data([
      [order('o1', 'PARTIALLY_REFUNDED', 'c1', 1000), [charge('o1', 'c1', 'CAPTURED', { refundedCents: 400 })]],
    ]);
    expect(kinds(d)).toEqual([]);
  });

  it('refunds every capture but the one the order was paid with', () => {
    const d = data([
      [order('o1', 'PAID', 'c2', 1000), [charge('o1', 'c1', 'CAPTURED'), charge('o1', 'c2', 'CAPTURED')]],
    ]);
    expect(kinds(d)).toEqual([['charged-twice', 'c1', 'refund']]);
  });

  it('flags a paid order whose charge is unknown, failed or refunded, and a capture of another amount', () => {
    const d = data([
      [order('o1', 'PAID', 'c1', 1000), []],
      [order('o2', 'PAID', 'c2', 1000), [charge('o2', 'c2', 'REFUNDED', { refundedCents: 1000 })]],
      [order('o3', 'PAID', 'c3', 1200), [charge('o3', 'c3', 'CAPTURED')]],
    ]);
    expect(kinds(d)).toEqual([
      ['paid-without-charge', 'c1', 'flag'],
      ['paid-without-charge', 'c2', 'flag'],
      ['amount-mismatch', 'c3', 'flag'],
    ]);
  });

  it('defers what its workflow still decides, and leaves alone what is already undone', () => {
    const d = data(
      [
        [order('o1', 'PENDING'), [charge('o1', 'c1', 'PENDING')]],
        [order('o2', 'PENDING'), [charge('o2', 'c2', 'CAPTURED')]],
        [order('o3', 'CANCELLED'), [charge('o3', 'c3', 'CAPTURED', { pendingRefundCents: 1000 })]],
        [order('o4', 'CANCELLED'), [charge('o4', 'c4', 'FAILED'), charge('o4', 'c4b', 'VOIDED')]],
        [order('o5', 'PAID', null, 0), []],
      ],
      { 'payment:o2': 'running' },
    );
    expect(kinds(d)).toEqual([]);
    expect(classify(d, 'refund').deferredOrderIds).toEqual(['o1', 'o2']);
  });
});
