import { z } from 'zod';
import { actor, department, routingConfig } from './approval';
import { businessId, cents, positiveCents, quantity, sku } from './fields';

/** What starts a refund saga (`refund:<refundId>`): how much goes back, which items come back. */
export const refundInput = z
  .object({
    refundId: businessId,
    orderId: businessId,
    amountCents: positiveCents,
    /** Items sent back, returned to stock; none for a goodwill refund. */
    items: z
      .array(z.object({ sku, quantity }))
      .max(50, 'must list at most 50 items')
      .refine((items) => new Set(items.map((i) => i.sku)).size === items.length, 'must not list a SKU twice')
      .default([]),
    reason: z.string().min(1, 'must not be empty').max(2000),
    requestedBy: actor,
    /** Whose approvers decide when approval is needed. */
    department: department.default('support'),
  })
  .strict();
export type RefundInput = z.input<typeof refundInput>;

export interface RefundResult {
  refundId: string;
  orderId: string;
  /** REJECTED: the approval said no (or expired, or was withdrawn); nothing moved. */
  status: 'REFUNDED' | 'REJECTED';
  amountCents: number;
  reason?: string;
  approval?: { status: string; decidedBy: string };
  pointsRevoked: number;
  /** Points the customer had already spent: owed, never a negative balance. */
  pointsDebt: number;
  orderStatus?: string;
}

/**
 * The refund rules the server side owns: which refunds wait for an approval, and how that approval
 * routes and times out. The worker reads them from its configuration and hands them to the
 * workflow through an activity; no start option can set them, so no caller can skip approval.
 */
export const refundPolicy = z
  .object({
    /** Refunds above this many cents wait for an approval first. */
    approvalThresholdCents: cents,
    routing: routingConfig,
    approvalSlaPerLevelMs: z.number().int().min(1000, 'must be at least 1000 ms'),
    approvalDeadlineMs: z.number().int().min(1000, 'must be at least 1000 ms'),
  })
  .strict();
export type RefundPolicy = z.infer<typeof refundPolicy>;
