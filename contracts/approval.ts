import { z } from 'zod';
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { cents, currency, derivedId, positiveCents } from './fields';

/** Who may approve, in the order levels are asked. `finance` is company-wide. */
export const approvalRoles = ['team-lead', 'department-head', 'finance'] as const;
export type ApprovalRole = (typeof approvalRoles)[number];

export const actor = z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_", "@" or "-"');
export const department = z.string().regex(/^[a-z0-9-]{1,40}$/, 'must be 1-40 lowercase letters, digits or "-"');

/**
 * Routing rules: the first band whose `upToCents` covers the amount (null: no limit) names the
 * roles that approve, in order; `approvers` names, per department (or `*` for company-wide roles),
 * each role's escalation chain: the first person is asked, the next one when the SLA runs out.
 */
export const routingConfig = z
  .object({
    bands: z
      .array(
        z.object({
          upToCents: positiveCents.nullable(),
          roles: z.array(z.enum(approvalRoles)).min(1, 'must name at least one role'),
        }),
      )
      .min(1, 'must have at least one band'),
    approvers: z.record(z.string(), z.record(z.string(), z.array(actor).min(1, 'must name at least one approver'))),
  })
  .superRefine((cfg, ctx) => {
    cfg.bands.forEach((band, i) => {
      const previous = cfg.bands[i - 1]?.upToCents;
      const isLast = i === cfg.bands.length - 1;
      if (!isLast && band.upToCents === null) {
        ctx.addIssue({
          code: 'custom',
          path: ['bands', i, 'upToCents'],
          message: 'only the last band may be unlimited',
        });
      }
      if (isLast && band.upToCents !== null) {
        ctx.addIssue({
          code: 'custom',
          path: ['bands', i, 'upToCents'],
          message: 'the last band must be unlimited (null)',
        });
      }
      if (previous != null && band.upToCents !== null && band.upToCents <= previous) {
        ctx.addIssue({ code: 'custom', path: ['bands', i, 'upToCents'], message: 'bands must ascend' });
      }
    });
  });
export type RoutingConfig = z.infer<typeof routingConfig>;

/** The example routing of docs/flows.md: up to 1,000 the team lead; up to 10,000 also the head; above, finance too. */
export const defaultRouting: RoutingConfig = {
  bands: [
    { upToCents: 100_000, roles: ['team-lead'] },
    { upToCents: 1_000_000, roles: ['team-lead', 'department-head'] },
    { upToCents: null, roles: ['team-lead', 'department-head', 'finance'] },
  ],
  approvers: {
    support: { 'team-lead': ['tl-support', 'tl-support-deputy'], 'department-head': ['head-support'] },
    sales: { 'team-lead': ['tl-sales'], 'department-head': ['head-sales'] },
    '*': { finance: ['finance-1', 'finance-2'] },
  },
};

export interface ApprovalLevel {
  role: ApprovalRole;
  /** Escalation chain: the first is asked; the SLA running out moves to the next (the last stays). */
  chain: string[];
}

/**
 * The levels a request of `amountCents` from `dept` goes through (pure). Throws when a role has no
 * approver for the department: a configuration error, refused at the edge before anything starts.
 */
export function route(config: RoutingConfig, amountCents: number, dept: string): ApprovalLevel[] {
  const band = config.bands.find((b) => b.upToCents === null || amountCents <= b.upToCents) ?? config.bands.at(-1)!;
  return band.roles.map((role) => {
    const chain = config.approvers[dept]?.[role] ?? config.approvers['*']?.[role];
    if (chain === undefined || chain.length === 0) throw new Error(`no ${role} configured for department ${dept}`);
    return { role, chain };
  });
}

/** What starts an approval (`approval:<requestId>`). Durations are inputs, so tests run days in seconds. */
export const approvalInput = z
  .object({
    requestId: derivedId,
    kind: z.enum(['refund', 'purchase']),
    requester: actor,
    department,
    amountCents: positiveCents,
    currency,
    description: z.string().min(1, 'must not be empty').max(2000),
    /** Internal requests: budget held per department from submission, committed on approval. */
    budget: z
      .array(z.object({ department, amountCents: positiveCents }))
      .max(10)
      .refine((b) => new Set(b.map((x) => x.department)).size === b.length, 'must not list a department twice')
      .default([]),
    /** Per level: a reminder at half of it, escalation when it runs out. */
    slaPerLevelMs: z.number().int().min(1000, 'must be at least 1000 ms'),
    /** From submission: past it the request is rejected (EXPIRED). */
    deadlineMs: z.number().int().min(1000, 'must be at least 1000 ms'),
    routing: routingConfig,
  })
  .strict();
export type ApprovalInput = z.input<typeof approvalInput>;

export const approveAction = z.object({ by: actor, comment: z.string().max(2000).optional() }).strict();
export const rejectAction = z.object({ by: actor, reason: z.string().min(1, 'must give a reason').max(2000) }).strict();
export const delegateAction = z
  .object({ by: actor, to: actor, comment: z.string().max(2000).optional() })
  .strict()
  .refine((d) => d.by !== d.to, { message: 'must delegate to someone else', path: ['to'] });
export const commentAction = z.object({ by: actor, text: z.string().min(1, 'must not be empty').max(2000) }).strict();
export const withdrawAction = z.object({ by: actor, reason: z.string().max(2000).optional() }).strict();

export type ApproveAction = z.infer<typeof approveAction>;
export type RejectAction = z.infer<typeof rejectAction>;
export type DelegateAction = z.infer<typeof delegateAction>;
export type CommentAction = z.infer<typeof commentAction>;
export type WithdrawAction = z.infer<typeof withdrawAction>;

export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'WITHDRAWN' | 'EXPIRED';

export interface AuditEntry {
  at: string;
  /** An actor, or `system` for timers (reminders, escalations, the deadline). */
  who: string;
  what:
    | 'submitted'
    | 'approved'
    | 'rejected'
    | 'delegated'
    | 'commented'
    | 'withdrawn'
    | 'reminded'
    | 'escalated'
    | 'expired';
  comment?: string;
  /** The level it concerns (0-based), when it concerns one. */
  level?: number;
}

export interface ApprovalState {
  requestId: string;
  kind: 'refund' | 'purchase';
  status: ApprovalStatus;
  levels: {
    role: ApprovalRole;
    approver: string;
    delegate?: string;
    decision?: 'approved' | 'rejected';
    decidedBy?: string;
  }[];
  /** Index of the level waiting for a decision; undefined once decided. */
  currentLevel?: number;
  currentApprover?: string;
  currentDelegate?: string;
  audit: AuditEntry[];
}

export interface ApprovalResult {
  requestId: string;
  status: Exclude<ApprovalStatus, 'PENDING'>;
  /** Who decided last (the final approver, the rejecter, the requester who withdrew, or `system`). */
  decidedBy: string;
  reason?: string;
  audit: AuditEntry[];
}

/**
 * The actions on `approval:<requestId>`; each answers the new state. A refused one (a bad payload,
 * the request no longer pending, someone not entitled to act) throws in its validator, so it never
 * enters the history. approve/reject: the current approver or their delegate; delegate: the current
 * approver only; comment: the requester or anyone who is or was an approver or delegate; withdraw:
 * the requester only.
 */
export const approveUpdate = defineUpdate<ApprovalState, [ApproveAction]>('approve');
export const rejectUpdate = defineUpdate<ApprovalState, [RejectAction]>('reject');
export const delegateUpdate = defineUpdate<ApprovalState, [DelegateAction]>('delegate');
export const commentUpdate = defineUpdate<ApprovalState, [CommentAction]>('comment');
export const withdrawUpdate = defineUpdate<ApprovalState, [WithdrawAction]>('withdraw');
/** The request's state at any time, also after the workflow completed. */
export const approvalStateQuery = defineQuery<ApprovalState>('approvalState');

/** A closed request's decision, as the approvals service records it and `approval.decided` tells it. */
export const approvalDecisionShape = {
  requestId: derivedId,
  kind: z.enum(['refund', 'purchase']),
  status: z.enum(['APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED']),
  decidedBy: z.string().min(1).max(200),
  amountCents: cents,
  currency,
};
