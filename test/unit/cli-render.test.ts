import { describe, expect, it } from 'vitest';
import { renderTimeline } from '../../apps/cli/render';
import type { SagaState, StepRecord } from '../../workflows';

const step = (over: Partial<StepRecord> & Pick<StepRecord, 'name' | 'status'>): StepRecord => ({
  pivot: false,
  attempts: 1,
  compensationAttempts: 0,
  ...over,
});

const state: SagaState = {
  flowType: 'paymentSaga',
  status: 'COMPLETED',
  attention: [],
  steps: [
    step({ name: 'charge-card', status: 'done', pivot: true, attempts: 2, lastError: 'Error: ECONNRESET' }),
    step({ name: 'create-shipment', status: 'skipped', attempts: 6, lastError: 'Error: 503', skipReason: 'by hand' }),
  ],
  operatorActions: [
    {
      action: 'retry',
      step: 'create-shipment',
      phase: 'forward',
      by: 'bob',
      at: '2026-12-01T10:00:00.000Z',
      error: 'Error: 503',
    },
    {
      action: 'skip',
      step: 'create-shipment',
      phase: 'forward',
      by: 'alice',
      at: '2026-12-01T10:05:00.000Z',
      reason: 'by hand',
      error: 'Error: 503',
    },
  ],
};

describe('saga status rendering', () => {
  const lines = renderTimeline('payment:o-1', state).split('\n');
  const lineOf = (name: string) => lines.find((l) => l.includes(` ${name} `))!;

  it('shows a skipped step with who skipped it and why, not its last error', () => {
    expect(lineOf('create-shipment')).toMatch(/skipped by alice: by hand$/);
    expect(lineOf('create-shipment')).not.toContain('503');
  });

  it('shows the error of a step that finished as an earlier attempt', () => {
    expect(lineOf('charge-card')).toMatch(/\(an earlier attempt failed: Error: ECONNRESET\)$/);
  });

  it('lists every operator decision with when, what, who and why', () => {
    expect(lines.filter((l) => l.includes('operator '))).toEqual([
      '  operator 2026-12-01T10:00:00.000Z: retry create-shipment (forward) by bob',
      '  operator 2026-12-01T10:05:00.000Z: skip create-shipment (forward) by alice: by hand',
    ]);
  });

  it('still renders a state from a worker that predates the audit trail', () => {
    const { operatorActions: _, ...old } = state;
    expect(renderTimeline('payment:o-1', old as SagaState)).toContain('skipped: by hand');
  });
});
