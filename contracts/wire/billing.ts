import { z } from 'zod';
import { businessId } from '../fields';
import { finding, findingKinds, type ReconciliationReport } from '../reconciliation';

/** Billing's wire as reconciliation uses it: orphaned callbacks, deferred orders, run reports. */

/** A callback whose workflow was closed or unknown, not yet settled by a reconciliation run. */
export const orphanedCallback = z.object({
  eventId: z.string(),
  orderId: z.string(),
  chargeId: z.string(),
  type: z.string(),
});
export const orphanedCallbacks = z.array(orphanedCallback);

/** Orders an earlier run deferred because their workflow still decided. */
export const deferredOrders = z.array(z.string());

export const reportRequest = z.object({
  reportId: z.string().min(1).max(300),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  findings: z.array(finding).max(10_000),
  orphanEventIds: z.array(z.string().max(200)).max(10_000),
  deferredOrderIds: z.array(businessId).max(100_000),
  repaired: z.array(businessId).max(10_000),
});
export type ReportRequest = z.infer<typeof reportRequest>;

export const reconciliationReport: z.ZodType<ReconciliationReport> = z.object({
  reportId: z.string(),
  from: z.string(),
  to: z.string(),
  createdAt: z.string(),
  findings: z.array(
    z.object({
      kind: z.enum(findingKinds),
      orderId: z.string(),
      chargeId: z.string().nullable(),
      amountCents: z.number().int().nullable(),
      detail: z.string(),
      action: z.enum(['refund', 'complete-order', 'flag']),
      new: z.boolean(),
    }),
  ),
  orphansHandled: z.array(z.string()),
  deferredOrderIds: z.array(z.string()),
  summary: z.object({ findings: z.number(), new: z.number(), repaired: z.number(), flagged: z.number() }),
});
