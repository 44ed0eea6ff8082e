import { z } from 'zod';
import type { GatewayCharge } from './gateway';
import { businessId } from './fields';
import type { FlowRunState } from './flows';

/** What reconciliation does with money taken for an order that is not paid. */
export type UnpaidPolicy = 'refund' | 'complete';

export const findingKinds = ['paid-order-unpaid', 'charged-twice', 'paid-without-charge', 'amount-mismatch'] as const;
export type FindingKind = (typeof findingKinds)[number];

/** A difference between the gateway and our records, and what reconciliation does about it. */
export const finding = z.object({
  kind: z.enum(findingKinds),
  orderId: businessId,
  chargeId: businessId.nullable(),
  /** What the charge still holds (captured less refunds), when a charge is concerned. */
  amountCents: z.number().int().min(0).nullable(),
  detail: z.string().max(1000),
  /** `refund` the charge, `complete-order` with it, or `flag` it for a person. */
  action: z.enum(['refund', 'complete-order', 'flag']),
});
export type Finding = z.infer<typeof finding>;

/** Our view of an order, as the order service keeps it. */
export interface OrderView {
  orderId: string;
  status: string;
  chargeId: string | null;
  /** What the card was to be charged; null when not paid. */
  cardCents: number | null;
}

/** A gateway charge, with the refunds still settling, so a refund asked for is not asked for again. */
export type ChargeOnRecord = GatewayCharge;

/** Everything one run compares, gathered by one read-only activity. */
export interface ReconciliationData {
  from: string;
  to: string;
  /** Every order the window or an orphaned callback names; null when the order service does not know it. */
  orders: Record<string, OrderView | null>;
  /** Every gateway charge of those orders. */
  charges: Record<string, ChargeOnRecord[]>;
  /**
   * What became of the workflow each charge reports to: still `running` (it decides, not
   * reconciliation), `completed` (it owns its capture), `closed` otherwise, or `not-found`.
   * Read before the orders, so a closed workflow's order is seen as that workflow left it.
   */
  flows: Record<string, FlowRunState>;
  /** Callbacks whose workflow was closed or unknown, not yet handled, with their order. */
  orphans: { eventId: string; orderId: string }[];
}

/** A run's verdict: the findings, and the orders left for a later run (their workflow still decides). */
export interface Classification {
  findings: Finding[];
  deferredOrderIds: string[];
}

const netCents = (c: ChargeOnRecord) => c.amountCents - c.refundedCents - c.pendingRefundCents;

/**
 * Classifies every difference between the gateway and our orders (pure and deterministic):
 * - money captured for an order that is not PAID → refund it, or with the `complete` policy complete
 *   a still-PENDING order with its first capture;
 * - more than one live capture for an order → refund all but the one the order was paid with;
 * - an order PAID with a charge the gateway does not hold as captured → flag;
 * - an order PAID with a capture of another amount → flag;
 * - a capture for an order we do not know → left to its workflow if that completed, else flagged.
 * Orders with a pending charge or a workflow still running are deferred to a later run.
 * A REFUNDED order holding a capture counts as unpaid: the money goes back.
 */
export function classify(data: ReconciliationData, policy: UnpaidPolicy): Classification {
  const findings: Finding[] = [];
  const deferredOrderIds: string[] = [];
  for (const orderId of Object.keys(data.orders).sort()) {
    const order = data.orders[orderId] ?? null;
    const charges = data.charges[orderId] ?? [];
    if (charges.some((c) => c.status === 'PENDING' || data.flows[c.reference] === 'running')) {
      deferredOrderIds.push(orderId);
      continue;
    }
    const live = charges.filter((c) => c.status === 'CAPTURED' && netCents(c) > 0);
    if (order === null) {
      // Not an order of ours (a flash-sale purchase has none): a flow that completed owns its
      // capture; any other capture is flagged for a person, never refunded blindly.
      for (const c of live.filter((c) => data.flows[c.reference] !== 'completed')) {
        findings.push({
          kind: 'paid-order-unpaid',
          orderId,
          chargeId: c.chargeId,
          amountCents: netCents(c),
          detail: `${netCents(c)} cents captured for an order the order service does not know (${c.reference} ${data.flows[c.reference] ?? 'unknown'})`,
          action: 'flag',
        });
      }
      continue;
    }
    if (paidStatuses.includes(order.status)) {
      const expected = order.chargeId;
      const kept = live.find((c) => c.chargeId === expected);
      if (expected !== null && kept === undefined) {
        const known = charges.find((c) => c.chargeId === expected);
        findings.push({
          kind: 'paid-without-charge',
          orderId,
          chargeId: expected,
          amountCents: null,
          detail: known
            ? `order is ${order.status} but charge ${expected} is ${known.status}`
            : `no gateway record of ${expected}`,
          action: 'flag',
        });
      } else if (kept !== undefined && kept.amountCents !== order.cardCents) {
        findings.push({
          kind: 'amount-mismatch',
          orderId,
          chargeId: kept.chargeId,
          amountCents: netCents(kept),
          detail: `order expects ${order.cardCents} cents, gateway captured ${kept.amountCents}`,
          action: 'flag',
        });
      }
      for (const extra of live.filter((c) => c !== kept)) {
        findings.push({
          kind: 'charged-twice',
          orderId,
          chargeId: extra.chargeId,
          amountCents: netCents(extra),
          detail: `second capture of ${netCents(extra)} cents; the order was paid with ${order.chargeId}`,
          action: 'refund',
        });
      }
      continue;
    }
    live.forEach((c, i) => {
      const complete = policy === 'complete' && order.status === 'PENDING' && i === 0;
      findings.push({
        kind: i === 0 ? 'paid-order-unpaid' : 'charged-twice',
        orderId,
        chargeId: c.chargeId,
        amountCents: netCents(c),
        detail: `${netCents(c)} cents captured, order is ${order.status}`,
        action: complete ? 'complete-order' : 'refund',
      });
    });
  }
  return { findings, deferredOrderIds };
}

/** Orders paid at least in part: their charge is expected to hold money (less refunds). */
const paidStatuses = ['PAID', 'PARTIALLY_REFUNDED'];

/** What a run stores and answers: the window, each finding (new or seen by an earlier run), a summary. */
export interface ReconciliationReport {
  reportId: string;
  from: string;
  to: string;
  createdAt: string;
  findings: (Finding & { new: boolean })[];
  orphansHandled: string[];
  /** Orders whose workflow still decides: looked at again by the next runs. */
  deferredOrderIds: string[];
  summary: { findings: number; new: number; repaired: number; flagged: number };
}

const isoInstant = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

/**
 * A reconciliation run's input (every field optional: a scheduled run compares the `lookbackMs`
 * before its start). `from` must come before `to`.
 */
export const reconciliationInput = z
  .object({
    from: isoInstant.optional(),
    to: isoInstant.optional(),
    lookbackMs: z.number().int('must be whole milliseconds').min(1, 'must be at least 1 ms').optional(),
    unpaidPolicy: z.enum(['refund', 'complete'], { error: 'must be refund or complete' }).optional(),
  })
  .strict()
  .refine((i) => i.from === undefined || i.to === undefined || Date.parse(i.from) < Date.parse(i.to), {
    path: ['from'],
    message: 'must be before to',
  });
export type ReconciliationInput = z.input<typeof reconciliationInput>;
