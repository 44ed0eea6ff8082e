import { type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { businessId } from '../contracts/fields';
import { flows } from '../contracts/flows';
import { retentionInput, type RetentionInput, type RetentionWindows } from '../contracts/retention';
import { FlowType } from '../contracts/search-attributes';
import type { retention } from '../workflows';
import { validate } from './errors';
import { ensureSchedule, type ScheduleMode, type ScheduleOutcome } from './schedules';

const flow = flows.retention;
/** The schedule, and the workflow id its runs take: the flow's bare prefix. */
export const retentionScheduleId = flow.prefix;

export interface RetentionScheduleOptions {
  taskQueue: string;
  intervalMs: number;
  windows: RetentionWindows;
  batchSize: number;
}

/**
 * Creates the `retention` Schedule, with `apply` (the default, `npm run schedules`) or brings an
 * existing one up to these options; with `keep` (every worker start) only creates a missing one and
 * answers how a running one differs, changing nothing. Runs never overlap (a run still going skips the next). Bad options
 * are a ValidationError naming the field; nothing is created.
 */
export async function ensureRetentionSchedule(
  client: Client,
  opts: RetentionScheduleOptions,
  mode: ScheduleMode = 'apply',
): Promise<ScheduleOutcome> {
  const input = validate(retentionInput, { windows: opts.windows, batchSize: opts.batchSize });
  const action = {
    type: 'startWorkflow' as const,
    workflowType: flow.type,
    taskQueue: opts.taskQueue,
    workflowId: retentionScheduleId,
    args: [input] as Parameters<typeof retention>,
    typedSearchAttributes: [{ key: FlowType, value: flow.type }],
    staticSummary: 'Remove idempotency keys, finished barrier rows and settled callbacks past retention',
  };
  return ensureSchedule(client, { scheduleId: retentionScheduleId, everyMs: opts.intervalMs, action }, mode);
}

const manualRunId = z.object({ runId: businessId });

/**
 * Runs retention now, outside the schedule, as `retention:<runId>`. Bad input is a ValidationError
 * naming the field; nothing starts.
 */
export async function startRetention(
  client: Client,
  opts: { taskQueue: string; runId: string } & RetentionInput,
): Promise<WorkflowHandle<typeof retention>> {
  const { taskQueue, runId: rawRunId, ...rest } = opts;
  const { runId } = validate(manualRunId, { runId: rawRunId });
  const input = validate(retentionInput, rest);
  return client.workflow.start<typeof retention>(flow.type, {
    taskQueue,
    workflowId: flow.id(runId),
    args: [input],
    typedSearchAttributes: [{ key: FlowType, value: flow.type }],
  });
}
