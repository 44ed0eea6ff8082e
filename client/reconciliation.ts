import { type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { businessId } from '../contracts/fields';
import { reconciliationInput, type UnpaidPolicy } from '../contracts/reconciliation';
import { flows } from '../contracts/flows';
import { FlowType } from '../contracts/search-attributes';
import type { reconciliation } from '../workflows';
import { validate } from './errors';
import { ensureSchedule, type ScheduleMode, type ScheduleOutcome } from './schedules';

const flow = flows.reconciliation;
/** The schedule, and the workflow id its runs take: the flow's bare prefix. */
export const reconciliationScheduleId = flow.prefix;

export interface ReconciliationScheduleOptions {
  taskQueue: string;
  intervalMs: number;
  /** How far back each run looks (overlapping windows are harmless: repairs are idempotent). */
  lookbackMs: number;
  unpaidPolicy: UnpaidPolicy;
}

/**
 * Creates the `reconciliation` Schedule, with `apply` (the default, `npm run schedules`) or brings an
 * existing one up to these options; with `keep` (every worker start) only creates a missing one and
 * answers how a running one differs, changing nothing. Runs never overlap (a run still going skips the next).
 */
export async function ensureReconciliationSchedule(
  client: Client,
  opts: ReconciliationScheduleOptions,
  mode: ScheduleMode = 'apply',
): Promise<ScheduleOutcome> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: flow.type,
    taskQueue: opts.taskQueue,
    workflowId: reconciliationScheduleId,
    args: [{ lookbackMs: opts.lookbackMs, unpaidPolicy: opts.unpaidPolicy }] as Parameters<typeof reconciliation>,
    typedSearchAttributes: [{ key: FlowType, value: flow.type }],
    staticSummary: 'Gateway statement against orders and payments',
  };
  return ensureSchedule(client, { scheduleId: reconciliationScheduleId, everyMs: opts.intervalMs, action }, mode);
}

/** A manual run's id; the window and policy are the workflow's own input schema. */
const manualRunId = z.object({ runId: businessId });

/**
 * Runs a reconciliation now (the operator's "reconcile this window"), outside the schedule, as
 * `reconciliation:<runId>`. Bad input is a ValidationError naming the field; nothing starts.
 */
export async function startReconciliation(
  client: Client,
  opts: { taskQueue: string; runId: string; from?: string; to?: string; unpaidPolicy?: UnpaidPolicy },
): Promise<WorkflowHandle<typeof reconciliation>> {
  const { taskQueue, runId: rawRunId, ...window } = opts;
  const { runId } = validate(manualRunId, { runId: rawRunId });
  const input = validate(reconciliationInput, window);
  return client.workflow.start<typeof reconciliation>(flow.type, {
    taskQueue,
    workflowId: flow.id(runId),
    args: [input],
    typedSearchAttributes: [{ key: FlowType, value: flow.type }],
  });
}
