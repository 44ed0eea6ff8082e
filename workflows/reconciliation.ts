import { ActivityFailure, ApplicationFailure, isCancellation, log, workflowInfo } from '@temporalio/workflow';
import {
  classify,
  reconciliationInput,
  type Finding,
  type ReconciliationInput,
  type ReconciliationReport,
} from '../contracts/reconciliation';
import { invalidInput, parseWorkflowInput } from './input';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { describeError } from './saga';

export type { ReconciliationInput };

const act = narratedActivities(presets.serviceCall);
const gather = narratedActivities(presets.longRead);
const repair = narratedActivities(presets.compensation);

/**
 * reconciliation (run by the `reconciliation` Schedule, or on demand): compares the gateway's
 * statement for a window with our orders, classifies every difference (see `classify`), repairs
 * what it can with idempotency keys of its own (`reconcile:<chargeId>:refund`,
 * `reconcile:<orderId>:complete`), so a repeated run repairs nothing twice, flags the rest, and
 * stores and returns its report. Orphaned callbacks it looked at are marked handled. The window is
 * `from`..`to` (default: the `lookbackMs`, 2 hours, before the run's start); money taken for an
 * unpaid order is refunded (`unpaidPolicy` 'refund', the default) or completes a still-pending
 * order ('complete'). Fails with `InvalidInput` (nothing done) on a bad input or an empty window.
 */
export async function reconciliation(raw: ReconciliationInput = {}): Promise<ReconciliationReport> {
  const input = parseWorkflowInput(reconciliationInput, raw, 'reconciliation');
  const info = workflowInfo();
  const to = input.to ?? info.startTime.toISOString();
  const from = input.from ?? new Date(Date.parse(to) - (input.lookbackMs ?? 2 * 3_600_000)).toISOString();
  if (!(Date.parse(from) < Date.parse(to))) {
    throw invalidInput('reconciliation', `from: must be before to (window ${from} to ${to})`);
  }
  const data = await gather.gatherReconciliationData({ from, to });
  const { findings, deferredOrderIds } = classify(data, input.unpaidPolicy ?? 'refund');
  const repaired: string[] = [];
  for (const f of findings) {
    if (f.action === 'flag') continue;
    try {
      if (f.action === 'complete-order' && !(await complete(f))) f.action = 'refund';
      if (f.action === 'refund') {
        await repair.refundCharge({ chargeId: f.chargeId!, idempotencyKey: `reconcile:${f.chargeId}:refund` });
      }
      repaired.push(f.chargeId!);
    } catch (err) {
      // One repair the gateway or the order service refuses must not sink the whole report.
      if (isCancellation(err)) throw err;
      f.detail = `${f.detail}; repair failed: ${describeError(err)}`.slice(0, 1000);
      f.action = 'flag';
    }
  }
  // An orphaned callback is settled once its order was classified; a deferred order keeps it.
  const deferred = new Set(deferredOrderIds);
  const report = await act.storeReconciliationReport({
    reportId: `${info.workflowId}/${info.runId}`,
    from,
    to,
    findings,
    orphanEventIds: data.orphans.filter((o) => !deferred.has(o.orderId)).map((o) => o.eventId),
    deferredOrderIds,
    repaired,
  });
  log.info('reconciliation done', { ...report.summary, from, to });
  return report;
}

/** Completes a pending order with its capture; false when the order service refuses (then refund). */
async function complete(f: Finding): Promise<boolean> {
  try {
    await act.markOrderPaid({
      orderId: f.orderId,
      chargeId: f.chargeId!,
      amountCents: f.amountCents ?? 0,
      idempotencyKey: `reconcile:${f.orderId}:complete`,
    });
    return true;
  } catch (err) {
    if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable)
      return false;
    throw err;
  }
}
