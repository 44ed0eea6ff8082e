import { ScheduleAlreadyRunning, type Client, type ScheduleOptionsStartWorkflowAction } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';

/**
 * `apply`: create the Schedule, or bring an existing one to this definition (the explicit step:
 * `npm run schedules`). `keep`: create it when missing, otherwise leave it as it is and say how this
 * definition differs (every worker start: the last worker to start must not decide).
 */
export type ScheduleMode = 'apply' | 'keep';

export interface ScheduleOutcome {
  scheduleId: string;
  outcome: 'created' | 'updated' | 'unchanged' | 'differs';
  /** With `differs`: what the running Schedule does against what this definition asks. */
  difference?: string;
}

/**
 * Creates or checks one interval Schedule that starts `action` every `everyMs`, never overlapping
 * (a run still going skips the next). See ScheduleMode for what happens to an existing one.
 */
export async function ensureSchedule<W extends Workflow>(
  client: Client,
  def: { scheduleId: string; everyMs: number; action: ScheduleOptionsStartWorkflowAction<W> },
  mode: ScheduleMode,
): Promise<ScheduleOutcome> {
  const { scheduleId, everyMs, action } = def;
  const spec = { intervals: [{ every: everyMs }] };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: 'SKIP', catchupWindow: everyMs } });
    return { scheduleId, outcome: 'created' };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  const running = await handle.describe();
  const runningEvery = Number(running.spec.intervals?.[0]?.every ?? NaN);
  const runningArgs = running.action.type === 'startWorkflow' ? JSON.stringify(running.action.args ?? []) : '?';
  const wantedArgs = JSON.stringify(action.args ?? []);
  const differences = [
    runningEvery !== everyMs ? `runs every ${runningEvery} ms, the configuration says ${everyMs} ms` : undefined,
    runningArgs !== wantedArgs ? `starts with ${runningArgs}, the configuration says ${wantedArgs}` : undefined,
    running.action.type === 'startWorkflow' && running.action.taskQueue !== action.taskQueue
      ? `runs on task queue ${running.action.taskQueue}, the configuration says ${action.taskQueue}`
      : undefined,
  ].filter((d): d is string => d !== undefined);
  if (differences.length === 0) return { scheduleId, outcome: 'unchanged' };
  if (mode === 'keep') return { scheduleId, outcome: 'differs', difference: differences.join('; ') };
  await handle.update((previous) => ({
    ...previous,
    spec,
    action,
    policies: { ...previous.policies, overlap: 'SKIP' },
  }));
  return { scheduleId, outcome: 'updated' };
}
