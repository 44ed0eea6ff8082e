import { ScheduleAlreadyRunning, type Client, type WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { businessId } from '../contracts/fields';
import { flows } from '../contracts/flows';
import { retentionInput, type RetentionInput, type RetentionWindows } from '../contracts/retention';
import { FlowType } from '../contracts/search-attributes';
import type { retention } from '../workflows';
import { validate } from './errors';

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
 * Creates the `retention` Schedule, or brings an existing one up to these options: safe to call at
 * every start of every worker. Runs never overlap (a run still going skips the next). Bad options
 * are a ValidationError naming the field; nothing is created.
 */
export async function ensureRetentionSchedule(client: Client, opts: RetentionScheduleOptions): Promise<void> {
  const input = validate(retentionInput, { windows: opts.windows, batchSize: opts.batchSize });
  const spec = { intervals: [{ every: opts.intervalMs }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: flow.type,
    taskQueue: opts.taskQueue,
    workflowId: retentionScheduleId,
    args: [input] as Parameters<typeof retention>,
    typedSearchAttributes: [{ key: FlowType, value: flow.type }],
    staticSummary: 'Remove idempotency keys, finished barrier rows and settled callbacks past retention',
  };
  try {
    await client.schedule.create({
      scheduleId: retentionScheduleId,
      spec,
      action,
      policies: { overlap: 'SKIP', catchupWindow: opts.intervalMs },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(retentionScheduleId)
      .update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, overlap: 'SKIP' } }));
  }
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
