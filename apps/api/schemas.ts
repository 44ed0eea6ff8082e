/**
 * The shapes the HTTP API answers, as zod schemas typed against the contracts' interfaces (a field
 * added to `SagaState` or `ApprovalState` does not compile here until it is described), so the
 * OpenAPI document's response schemas are generated like its request bodies.
 */
import { z } from 'zod';
import type { ApprovalState, AuditEntry } from '../../contracts/approval';
import { sagaStatuses, type OperatorActionRecord, type SagaState, type StepRecord } from '../../contracts/saga';
import type { RefundResult } from '../../contracts/refund';
import type { RefundView } from '../../client/refund';
import type { SagaSummary } from '../../client/list';

const stepStatus = z.enum([
  'pending',
  'running',
  'done',
  'failed',
  'compensating',
  'compensated',
  'compensation-failed',
  'skipped',
]);
const branchPhase = z.enum([
  'trying',
  'tried',
  'try-failed',
  'confirming',
  'confirmed',
  'cancelling',
  'cancelled',
  'skipped',
]);
const phase = z.enum(['forward', 'compensation']);

const stepRecord: z.ZodType<StepRecord> = z.object({
  name: z.string(),
  status: stepStatus,
  pivot: z.boolean(),
  attempts: z.number().int(),
  compensationAttempts: z.number().int(),
  lastError: z.string().optional(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  skipReason: z.string().optional(),
  branches: z.array(z.object({ name: z.string(), phase: branchPhase, lastError: z.string().optional() })).optional(),
});
const operatorActionRecord: z.ZodType<OperatorActionRecord> = z.object({
  action: z.enum(['retry', 'skip']),
  step: z.string(),
  phase,
  by: z.string().meta({ description: 'who decided: over this API, the calling service' }),
  at: z.string(),
  reason: z.string().optional(),
  error: z.string(),
});

/** A saga's timeline, as its `sagaState` query answers it. */
export const sagaStateSchema: z.ZodType<SagaState> = z.object({
  flowType: z.string(),
  status: z.enum(sagaStatuses),
  steps: z.array(stepRecord),
  attention: z.array(z.object({ step: z.string(), phase, error: z.string(), since: z.string() })),
  failure: z.object({ step: z.string(), error: z.string() }).optional(),
  aborted: z.object({ reason: z.string(), type: z.string().optional() }).optional(),
  operatorActions: z.array(operatorActionRecord),
});

/** `GET /payments/:orderId`, `/checkouts/:orderId`, `/flash-sales/:orderId`. */
export interface SagaView {
  workflowId: string;
  runId: string;
  /** The workflow's status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, ... */
  status: string;
  /** The timeline; left out for a closed run when no worker answers the query soon. */
  saga?: SagaState;
}
export const sagaViewSchema: z.ZodType<SagaView> = z.object({
  workflowId: z.string(),
  runId: z.string(),
  status: z.string().meta({ description: 'the workflow status (RUNNING, COMPLETED, FAILED, CANCELLED, ...)' }),
  saga: sagaStateSchema
    .optional()
    .meta({ description: 'the step timeline; left out for a closed run when no worker answers soon' }),
});

const sagaSummary: z.ZodType<SagaSummary> = z.object({
  workflowId: z.string(),
  runId: z.string(),
  flow: z.string().optional(),
  sagaStatus: z.string().optional(),
  orderId: z.string().optional(),
  status: z.string(),
  startTime: z.string(),
});
export const sagaListSchema = z.object({ sagas: z.array(sagaSummary) });

export const startedSchema = z.object({ workflowId: z.string(), runId: z.string() });
export const cancelRequestedSchema = z.object({
  workflowId: z.string(),
  cancelRequested: z.literal(true),
});

const auditEntry: z.ZodType<AuditEntry> = z.object({
  at: z.string(),
  who: z.string(),
  what: z.enum([
    'submitted',
    'approved',
    'rejected',
    'delegated',
    'commented',
    'withdrawn',
    'reminded',
    'escalated',
    'expired',
  ]),
  comment: z.string().optional(),
  level: z.number().int().optional(),
});
export const approvalStateSchema: z.ZodType<ApprovalState> = z.object({
  requestId: z.string(),
  kind: z.enum(['refund', 'purchase']),
  status: z.enum(['PENDING', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED']),
  levels: z.array(
    z.object({
      role: z.enum(['team-lead', 'department-head', 'finance']),
      approver: z.string(),
      delegate: z.string().optional(),
      decision: z.enum(['approved', 'rejected']).optional(),
      decidedBy: z.string().optional(),
    }),
  ),
  currentLevel: z.number().int().optional(),
  currentApprover: z.string().optional(),
  currentDelegate: z.string().optional(),
  audit: z.array(auditEntry),
});

const refundResult: z.ZodType<RefundResult> = z.object({
  refundId: z.string(),
  orderId: z.string(),
  status: z.enum(['REFUNDED', 'REJECTED']),
  amountCents: z.number().int(),
  reason: z.string().optional(),
  approval: z.object({ status: z.string(), decidedBy: z.string() }).optional(),
  pointsRevoked: z.number().int(),
  pointsDebt: z.number().int(),
  orderStatus: z.string().optional(),
});
export const refundViewSchema: z.ZodType<RefundView> = z.object({
  refundId: z.string(),
  status: z.string(),
  saga: sagaStateSchema.optional(),
  result: refundResult.optional(),
  failure: z.string().optional(),
});

export const healthSchema = z.object({ status: z.literal('ok'), part: z.literal('api') });
