import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { formatMoney } from '../contracts/money';

type Narrators = { [K in keyof Activities]: (input: Parameters<Activities[K]>[0]) => string };

// Inputs without their currency cannot place the decimal point (JPY has none, BHD three): say the exact count.
const money = (minorUnits: number) => `${minorUnits} minor units`;
const units = (items: { quantity: number }[]) => {
  const n = items.reduce((sum, i) => sum + i.quantity, 0);
  return `${n} unit${n === 1 ? '' : 's'}`;
};
const skus = (items: { sku: string; quantity: number }[]) => items.map((i) => `${i.quantity}× ${i.sku}`).join(', ');

/**
 * One line per activity call, shown as the call's summary in the Web UI and in `temporal workflow
 * show`, so a saga's history reads as its business story. Typed over every activity: a new one
 * does not compile until it says what it does.
 */
const narrators: Narrators = {
  validateOrder: (i) => `Check order ${i.orderId} for customer ${i.customerId}: ${skus(i.items)}`,
  cancelOrder: (i) => `Cancel order ${i.orderId}: ${i.reason}`,
  markOrderPaid: (i) =>
    `Mark order ${i.orderId} paid: ${money(i.amountCents)} (${i.chargeId === undefined ? 'no card charge' : `charge ${i.chargeId}`})`,
  getOrder: (i) => `Read order ${i.orderId}`,
  recordRefund: (i) => `Record refund ${i.refundId} of ${money(i.amountCents)} on order ${i.orderId}`,
  findOrders: (i) =>
    'ids' in i ? `Read ${i.ids.length} orders by id` : `Read orders paid ${i.paidFrom} to ${i.paidTo}`,
  reserveStock: (i) => `Reserve stock for order ${i.reservationId}: ${skus(i.items)}`,
  releaseStock: (i) => `Release the stock reserved for order ${i.reservationId}`,
  sellStock: (i) => `Sell the stock reserved for order ${i.reservationId}`,
  returnableItems: (i) => `Check what order ${i.reservationId} can take back`,
  returnItems: (i) => `Return ${units(i.items)} to stock (${i.returnId})`,
  tryFreezeStock: (i) => `Try: freeze stock ${skus(i.items)} (${i.gid})`,
  confirmFrozenStock: (i) => `Confirm: take the frozen stock (${i.gid})`,
  cancelFrozenStock: (i) => `Cancel: unfreeze the stock (${i.gid})`,
  checkFlashSaleGates: (i) => `Compare the flash-sale gates with the database (sales quiet for ${i.quietMs} ms)`,
  returnGateUnit: (i) => `Give order ${i.orderId}'s units of ${i.sku} back to the flash-sale gate`,
  chargeCard: (i) => `Charge ${formatMoney(i.amountCents, i.currency)} for order ${i.orderId} (${i.chargeId})`,
  getCharge: (i) => `Ask the gateway for the status of charge ${i.chargeId}`,
  refundCharge: (i) => `Void or refund charge ${i.chargeId}`,
  createRefund: (i) => `Refund ${money(i.amountCents)} of charge ${i.chargeId} (${i.refundId})`,
  getRefund: (i) => `Ask the gateway for the status of refund ${i.refundId}`,
  fetchStatement: (i) => `Fetch the gateway statement ${i.from} to ${i.to}`,
  gatherReconciliationData: (i) => `Gather statement, orders and events ${i.from} to ${i.to}`,
  storeReconciliationReport: (i) =>
    `Store report ${i.reportId}: ${i.findings.length} findings, ${i.repaired.length} repaired, ${i.deferredOrderIds.length} deferred`,
  storeRetentionReport: (i) => `Store retention report ${i.reportId}: ${i.total} rows removed`,
  purgeExpired: (i) => `Remove up to ${i.batchSize} rows per table past retention at ${i.service}`,
  awardPoints: (i) => `Award ${i.points} points to ${i.customerId} for order ${i.orderId}`,
  revokePoints: (i) => `Revoke ${i.points} points from ${i.customerId} for order ${i.orderId}`,
  tryFreezeBalance: (i) => `Try: freeze ${money(i.amountCents)} of ${i.customerId}'s balance (${i.gid})`,
  confirmFrozenBalance: (i) => `Confirm: spend the frozen balance (${i.gid})`,
  cancelFrozenBalance: (i) => `Cancel: unfreeze the balance (${i.gid})`,
  lockCoupon: (i) => `Lock coupon ${i.code} for order ${i.orderId}`,
  redeemCoupon: (i) => `Redeem coupon ${i.code} for order ${i.orderId}`,
  releaseCoupon: (i) => `Release coupon ${i.code} from order ${i.orderId}`,
  tryLockCoupon: (i) => `Try: lock coupon ${i.code} (${i.gid})`,
  confirmCoupon: (i) => `Confirm: use the locked coupon (${i.gid})`,
  cancelCouponLock: (i) => `Cancel: unlock the coupon (${i.gid})`,
  createShipment: (i) => `Create shipment ${i.shipmentId} for order ${i.orderId}: ${units(i.items)}`,
  holdBudget: (i) => `Hold ${money(i.amountCents)} of the ${i.department} budget (${i.holdId})`,
  commitBudget: (i) => `Spend budget hold ${i.holdId}`,
  releaseBudget: (i) => `Release budget hold ${i.holdId}`,
  notify: (i) => `Notify ${i.to}: ${i.kind} on ${i.requestId}`,
  recordDecision: (i) => `Record ${i.requestId} ${i.status} by ${i.decidedBy}`,
};

/** The summary of one activity call: one line, cut when long, as the UI shows it. */
export function narrate<K extends keyof Activities>(name: K, input: Parameters<Activities[K]>[0]): string {
  const line = narrators[name](input).replace(/\s+/g, ' ');
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

/**
 * `proxyActivities` whose every call carries its narrated summary. Same options, same commands:
 * the summary is metadata, so histories recorded without it still replay. With `local`, the calls
 * run as local activities in the workflow's worker: no activity task round trip through the
 * server and fewer history events, for calls as short as ours; the choice is the run's input, so
 * it never changes under a running workflow.
 */
export function narratedActivities(options: ActivityOptions, { local = false } = {}): Activities {
  const proxy = local ? proxyLocalActivities<Activities>(options) : proxyActivities<Activities>(options);
  return new Proxy({} as Activities, {
    get(_, name) {
      if (typeof name !== 'string' || !(name in narrators)) return undefined;
      const activity = name as keyof Activities;
      return (input: never) => proxy[activity].executeWithOptions({ summary: narrate(activity, input) }, [input]);
    },
  });
}
