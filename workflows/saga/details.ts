import type { SagaState, StepRecord } from './definitions';

/** Longest text a cell keeps: the details stay a compact table, the full error is in `sagaState`. */
const cellLimit = 120;

/** Text for one markdown table cell: one line, pipes escaped, cut at `cellLimit`. */
function cell(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  const cut = line.length > cellLimit ? `${line.slice(0, cellLimit - 1)}…` : line;
  return cut.replace(/\|/g, '\\|');
}

function attempts(s: StepRecord): string {
  return s.compensationAttempts > 0 ? `${s.attempts} + ${s.compensationAttempts} undo` : String(s.attempts);
}

function note(s: StepRecord, waiting: Set<string>): string {
  if (waiting.has(s.name)) return `waits for an operator: ${s.lastError ?? 'unknown'}`;
  if (s.status === 'skipped') return `skipped: ${s.skipReason ?? 'no reason recorded'}`;
  if (!s.lastError) return '';
  return s.status === 'done' || s.status === 'compensated' ? `an earlier attempt failed: ${s.lastError}` : s.lastError;
}

/**
 * The saga as the Temporal UI shows it under "Current details" (markdown): the flow and its
 * status, why it failed or ended, and one table row per step of its timeline (or "No step ran.").
 */
export function renderDetails(state: SagaState): string {
  const head = [`**${state.flowType}** · ${state.status}`];
  if (state.aborted) head.push(`Ended: ${cell(state.aborted.reason)}`);
  else if (state.failure) head.push(`Failed at ${state.failure.step}: ${cell(state.failure.error)}`);
  const waiting = new Set(state.attention.map((a) => a.step));
  const rows = state.steps.map(
    (s) => `| ${s.name}${s.pivot ? ' (pivot)' : ''} | ${s.status} | ${attempts(s)} | ${cell(note(s, waiting))} |`,
  );
  if (rows.length === 0) return [...head, 'No step ran.'].join('\n\n');
  const table = ['| Step | Status | Attempts | Note |', '| --- | --- | --- | --- |', ...rows];
  return [head.join('\n\n'), '', ...table].join('\n');
}
