import type { OperatorActionRecord, SagaState, StepRecord } from '../../workflows';
import type { SagaSummary } from '../../client/list';
import type { ReplayOutcome } from './replay';

const marks: Record<string, string> = {
  pending: '·',
  running: '…',
  done: '✓',
  failed: '✗',
  compensating: '↺',
  compensated: '↩',
  'compensation-failed': '!',
  skipped: '⤼',
};
const time = (iso?: string) => (iso ? iso.slice(11, 19) : '        ');

// Statuses in which the step (or its compensation) ended well: an error kept on the record is then
// one of an earlier attempt, not what the step is now.
const endedWell = new Set<StepRecord['status']>(['done', 'compensated']);

/** What follows a step's line: its skip (who and why), its error, or an earlier attempt's error. */
function note(s: StepRecord, actions: OperatorActionRecord[]): string {
  if (s.status === 'skipped') {
    const skip = actions.findLast((a) => a.step === s.name && a.action === 'skip');
    return `  skipped${skip ? ` by ${skip.by}` : ''}: ${skip?.reason ?? s.skipReason ?? 'no reason recorded'}`;
  }
  if (!s.lastError) return '';
  return endedWell.has(s.status) ? `  (an earlier attempt failed: ${s.lastError})` : `  ${s.lastError}`;
}

/** One audit line: when (workflow time), what, who and why. */
const renderAction = (a: OperatorActionRecord) =>
  `  operator ${a.at}: ${a.action} ${a.step} (${a.phase}) by ${a.by}${a.reason ? `: ${a.reason}` : ''}`;

/** The step timeline of a saga, one line a step, then the operators' decisions, as `saga status` prints it. */
export function renderTimeline(workflowId: string, state: SagaState): string {
  const width = Math.max(...state.steps.map((s) => s.name.length), 4);
  // A worker still on code from before the audit answers without the list.
  const actions = (state.operatorActions as OperatorActionRecord[] | undefined) ?? [];
  const lines = [`${workflowId}  ${state.flowType}  ${state.status}`];
  for (const s of state.steps) {
    const tries = s.compensationAttempts > 0 ? `${s.attempts}+${s.compensationAttempts}` : String(s.attempts);
    const pivot = s.pivot ? ' [pivot]' : '';
    lines.push(
      `  ${marks[s.status] ?? '?'} ${s.name.padEnd(width)}  ${s.status.padEnd(19)} ${tries.padStart(4)}  ${time(s.startedAt)} → ${time(s.finishedAt)}${pivot}${note(s, actions)}`,
    );
  }
  for (const a of state.attention) lines.push(`  NEEDS ATTENTION: ${a.step} (${a.phase}) since ${a.since}: ${a.error}`);
  if (state.failure) lines.push(`  failed at ${state.failure.step}: ${state.failure.error}`);
  lines.push(...actions.map(renderAction));
  return lines.join('\n');
}

export function renderList(rows: SagaSummary[]): string {
  if (rows.length === 0) return 'no sagas match';
  return rows
    .map((r) => [r.workflowId, r.flow ?? '-', r.sagaStatus ?? '-', r.orderId ?? '-', r.status, r.startTime].join('  '))
    .join('\n');
}

/** One line: success, or where and how the history and the current code disagree. */
export function renderReplay(r: ReplayOutcome): string {
  if (r.ok) return `replay ok: ${r.workflowType} ${r.workflowId} (${r.events} events) replays against the current code`;
  const at = r.eventId !== undefined ? ` at event ${r.eventId}` : '';
  return `replay FAILED: ${r.workflowType} ${r.workflowId}: non-deterministic${at}: ${r.difference}`;
}
