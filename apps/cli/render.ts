import type { SagaState } from '../../workflows';
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

/** The step timeline of a saga, one line a step, as `saga status` prints it. */
export function renderTimeline(workflowId: string, state: SagaState): string {
  const width = Math.max(...state.steps.map((s) => s.name.length), 4);
  const lines = [`${workflowId}  ${state.flowType}  ${state.status}`];
  for (const s of state.steps) {
    const tries = s.compensationAttempts > 0 ? `${s.attempts}+${s.compensationAttempts}` : String(s.attempts);
    const pivot = s.pivot ? ' [pivot]' : '';
    const error = s.lastError ? `  ${s.lastError}` : '';
    lines.push(
      `  ${marks[s.status] ?? '?'} ${s.name.padEnd(width)}  ${s.status.padEnd(19)} ${tries.padStart(4)}  ${time(s.startedAt)} → ${time(s.finishedAt)}${pivot}${error}`,
    );
  }
  for (const a of state.attention) lines.push(`  NEEDS ATTENTION: ${a.step} (${a.phase}) since ${a.since}: ${a.error}`);
  if (state.failure) lines.push(`  failed at ${state.failure.step}: ${state.failure.error}`);
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
