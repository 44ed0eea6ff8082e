import { readFileSync } from 'node:fs';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { z } from 'zod';
import type { DataConverter } from '@temporalio/common';
import { allowCardNumbers, parseOrThrow, ValidationError } from '../../contracts/validation';
import { onWorkflow } from '../../client/errors';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundlePath } from '../worker/bundle';
import { workflowsPath } from '../worker/worker';

// Loaded by `saga replay` only. The replayer's own worker speaks only when something is wrong (a
// determinism error is reported once, by `saga replay` itself).
Runtime.install({
  logger: new DefaultLogger('WARN'),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});

export interface ReplayOutcome {
  ok: boolean;
  workflowId: string;
  workflowType: string;
  events: number;
  /** On a determinism error: the history event the current code disagrees with, and how. */
  eventId?: number;
  difference?: string;
}

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

/**
 * A history from the server (by workflow id) or from a file of `temporal workflow show --output json`.
 * A file stays JSON: the replayer converts it itself (the SDK's public route; its converter is
 * internal), and the fields read here have the same names in both forms. Throws a ValidationError
 * when the file holds no events.
 */
export async function loadHistory(source: { client: Client; workflowId: string } | { file: string }): Promise<History> {
  if ('file' in source) {
    const json = parseOrThrow(historyFile, readJson(source.file), 'history', 'file');
    return json as unknown as History; // read as JSON by the replayer, see above
  }
  const { client, workflowId } = source;
  return onWorkflow(workflowId, () => client.workflow.getHandle(workflowId).fetchHistory());
}

/** The file's JSON, or a ValidationError on `file` saying what is wrong with it (missing, not JSON). */
function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ValidationError([{ path: 'file', message: `cannot be read: ${why} (${file})` }], 'history');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ValidationError(
      [
        {
          path: 'file',
          message: `must be JSON from \`temporal workflow show --output json\` (${(err as Error).message})`,
        },
      ],
      'history',
    );
  }
}

// A history recorded before payment-method tokens carries its card number; replaying it is fine.
const historyFile = allowCardNumbers(
  z.looseObject({
    events: z.array(z.looseObject({ eventId: z.union([z.string(), z.number()]) })).min(1, 'must list events'),
  }),
);

/**
 * Replays a history against the current workflow code (the cached bundle of `workflows/`, or `bundlePath`)
 * with the worker's replayer. A determinism error is an answer (`ok: false`, with the event id and
 * what differed), not a throw; anything else (a file that is no history) throws. When the error
 * does not name the event, the shortest failing prefix of the history (cut at workflow task
 * boundaries) finds it. Each replay is bounded by `timeoutMs` (60 s): one that does not finish
 * counts as failed, with that as its difference, so a replay always ends.
 */
export async function replayHistory(
  history: History,
  workflowId: string,
  opts: { bundlePath?: string; debug?: boolean; timeoutMs?: number; dataConverter?: DataConverter } = {},
): Promise<ReplayOutcome> {
  const events = history.events ?? [];
  const started = events[0]?.workflowExecutionStartedEventAttributes;
  const base = { workflowId, workflowType: started?.workflowType?.name ?? 'unknown', events: events.length };
  // Debugging bundles from the sources (source maps for breakpoints in workflows/*.ts) and lifts the
  // deadlock timeout, so a paused debugger does not fail the replay.
  const converter = opts.dataConverter ? { dataConverter: opts.dataConverter } : {};
  const code = opts.debug
    ? { workflowsPath, debugMode: true, ...converter }
    : { workflowBundle: { codePath: opts.bundlePath ?? (await workflowBundlePath()) }, ...converter };
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const replay = async (upTo: number): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`the replay did not finish within ${timeoutMs / 1000} s`), timeoutMs);
    });
    const run = Worker.runReplayHistory(code, { ...history, events: events.slice(0, upTo) }, workflowId).then(
      () => undefined,
      (err: unknown) => {
        if (!(err instanceof DeterminismViolationError)) throw err;
        return err.message;
      },
    );
    try {
      return await Promise.race([run, overdue]);
    } finally {
      clearTimeout(timer);
    }
  };
  const message = await replay(events.length);
  if (message === undefined) return { ...base, ok: true };
  const difference = /Nondeterminism error: (.*?)", source/.exec(message)?.[1] ?? message;
  const named = /HistoryEvent\(id: (\d+)/.exec(message)?.[1];
  const eventId = named !== undefined ? Number(named) : await firstDivergence(events, difference, replay);
  return { ...base, ok: false, difference, ...(eventId !== undefined ? { eventId } : {}) };
}

type Event = NonNullable<History['events']>[number];

/**
 * The first event of the workflow task whose commands no longer match: the shortest prefix that
 * fails ends there. Within that task, an event the message names (an activity type in quotes).
 */
async function firstDivergence(
  events: Event[],
  difference: string,
  replay: (upTo: number) => Promise<string | undefined>,
): Promise<number | undefined> {
  const isTaskScheduled = (e: Event) => e.workflowTaskScheduledEventAttributes != null;
  // A prefix the replayer can finish holds at least one completed workflow task: one of only the
  // start event waits for a task that never comes.
  const firstTaskDone = events.findIndex((e) => e.workflowTaskCompletedEventAttributes != null);
  const cuts = [...events.flatMap((e, i) => (isTaskScheduled(e) && i > firstTaskDone ? [i] : [])), events.length];
  let lo = 0;
  let hi = cuts.length - 1; // cuts[hi] fails; find the first failing cut
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await replay(cuts[mid]!)) === undefined) lo = mid + 1;
    else hi = mid;
  }
  const from = lo > 0 ? cuts[lo - 1]! : 0;
  const range = events.slice(from, cuts[lo]);
  const quoted = /'([^']+)'/.exec(difference)?.[1];
  const named = range.find(
    (e) => quoted !== undefined && e.activityTaskScheduledEventAttributes?.activityType?.name === quoted,
  );
  const command = range.find(
    (e) =>
      e.workflowTaskCompletedEventAttributes == null &&
      !isTaskScheduled(e) &&
      e.workflowTaskStartedEventAttributes == null,
  );
  const hit = named ?? command ?? range[0];
  return hit?.eventId == null ? undefined : Number(hit.eventId);
}
