/**
 * The saga's public contract: its timeline as the `sagaState` query answers it, and the operator's
 * `retry` and `skip` updates. Shared by the saga library (workflows/saga), the client and the CLI.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';

/**
 * Where a step stands; the saga's timeline lists one record per step. While the saga runs, the steps
 * of its plan not reached yet are `pending`; once it ended (any final status) they are left out:
 * the timeline of a finished saga holds only the steps that ran.
 */
export type StepStatus =
  'pending' | 'running' | 'done' | 'failed' | 'compensating' | 'compensated' | 'compensation-failed' | 'skipped';

/**
 * The saga as a whole; also the `SagaStatus` search attribute, so it names the business outcome
 * (the run's own close status is the engine's: Completed or Failed). COMPLETED: every step ran;
 * COMPENSATED: a step failed and the done steps were undone (the run fails with `SagaFailed`, so a
 * caller waiting for the result cannot take it for a success); CANCELLED: the workflow was cancelled
 * and undone. The flow ended with a business outcome and its done steps were undone (the run
 * completes, its result says why): REJECTED (a person or a participant said no: an approval
 * rejected, a department refusing its budget, a refund whose approval was rejected), WITHDRAWN
 * (the requester took it back), EXPIRED (nobody decided before the deadline), ABORTED (any other
 * business outcome, e.g. a wallet amount above the total).
 */
export const sagaStatuses = [
  'RUNNING',
  'COMPENSATING',
  'NEEDS_ATTENTION',
  'COMPLETED',
  'COMPENSATED',
  'ABORTED',
  'REJECTED',
  'WITHDRAWN',
  'EXPIRED',
  'CANCELLED',
] as const;
export type SagaStatus = (typeof sagaStatuses)[number];

/** The statuses a saga ends in when its body returns `abort(...)`: a business outcome, not a failure. */
export const abortStatuses = ['ABORTED', 'REJECTED', 'WITHDRAWN', 'EXPIRED'] as const satisfies readonly SagaStatus[];
export type AbortStatus = (typeof abortStatuses)[number];

export interface StepRecord {
  name: string;
  status: StepStatus;
  pivot: boolean;
  /** How many times the saga ran the step forward, and ran its compensation. */
  attempts: number;
  compensationAttempts: number;
  lastError?: string;
  startedAt?: string;
  finishedAt?: string;
  /** Why an operator skipped this step or its compensation. */
  skipReason?: string;
  /** For a TCC step: each participant branch and its phase. */
  branches?: { name: string; phase: BranchPhase; lastError?: string }[];
}

export type BranchPhase =
  'trying' | 'tried' | 'try-failed' | 'confirming' | 'confirmed' | 'cancelling' | 'cancelled' | 'skipped';

export interface Attention {
  step: string;
  /** What is stuck: the step itself (after the pivot) or its compensation. */
  phase: 'forward' | 'compensation';
  error: string;
  since: string;
}

export interface SagaState {
  flowType: string;
  status: SagaStatus;
  steps: StepRecord[];
  /** Set while the saga waits for an operator. */
  attention: Attention[];
  /** The step whose failure started the unwind, and why. */
  failure?: { step: string; error: string };
  /** Why the flow aborted (status ABORTED, REJECTED, WITHDRAWN or EXPIRED): the outcome, in its words. */
  aborted?: { reason: string; type?: string };
  /** The audit trail: every operator decision the saga took, oldest first. */
  operatorActions: OperatorActionRecord[];
}

/** One operator decision as the saga applied it: who, when, what and why. */
export interface OperatorActionRecord {
  action: 'retry' | 'skip';
  step: string;
  /** What was stuck: the step itself or its compensation. */
  phase: Attention['phase'];
  by: string;
  /** Workflow time when the saga took the decision (ISO 8601). */
  at: string;
  /** Why: required for a skip, optional for a retry. */
  reason?: string;
  /** The error the step was stuck on when the operator decided. */
  error: string;
}

export interface OperatorAction {
  /** The stuck step; may be omitted when only one step waits. */
  step?: string;
  /** Who acts, for the audit trail. */
  by: string;
  /** Why (a skip must say; a retry may), kept in the audit trail. */
  reason?: string;
}

export const sagaStateQuery = defineQuery<SagaState>('sagaState');
/** Run a stuck step (or compensation) again with a fresh budget. */
export const retryUpdate = defineUpdate<SagaState, [OperatorAction]>('retry');
/** Give up on a stuck step (or compensation), recording why, and carry on. */
export const skipUpdate = defineUpdate<SagaState, [OperatorAction & { reason: string }]>('skip');

/**
 * The first detail of a non-retryable failure after which the remote side may still have acted (a
 * deadline passed while its answer was awaited, or it answered 2xx with a body we cannot read):
 * unlike a refusal, the step it ends is compensated.
 */
export const outcomeUnknownMarker = 'outcome-unknown';
