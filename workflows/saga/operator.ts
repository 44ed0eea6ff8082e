import { condition, log, setHandler } from '@temporalio/workflow';
import {
  retryUpdate,
  skipUpdate,
  type Attention,
  type OperatorAction,
  type OperatorActionRecord,
  type SagaState,
  type StepRecord,
} from './definitions';

export type OperatorDecision = { action: 'retry' } | { action: 'skip'; reason: string };

/**
 * Where stuck steps wait for a person: the `retry` and `skip` updates, validated against the steps
 * that wait (by the name the timeline shows), the list the state query shows as `attention`, and
 * the audit trail of every decision taken (`actions`, shown as `operatorActions`).
 */
export class OperatorDesk {
  readonly attention: Attention[] = [];
  readonly actions: OperatorActionRecord[] = [];
  private readonly decisions = new Map<string, OperatorDecision>();

  constructor(
    private readonly saga: { flowType: string; status: () => string; state: () => SagaState },
    private readonly onWaiting: (waiting: boolean, phase: Attention['phase']) => void,
  ) {
    setHandler(retryUpdate, (action) => this.decide(action, { action: 'retry' }), {
      validator: (action: OperatorAction) => {
        this.validate(action);
        if (action.reason !== undefined && (typeof action.reason !== 'string' || action.reason.trim() === ''))
          throw new Error('retry "reason", when given, must be a non-empty string');
      },
    });
    setHandler(skipUpdate, (action) => this.decide(action, { action: 'skip', reason: action.reason }), {
      validator: (action: OperatorAction & { reason: string }) => {
        this.validate(action);
        if (typeof action.reason !== 'string' || action.reason.trim() === '') throw new Error('skip needs a reason');
      },
    });
  }

  /** Waits until an operator decides on `record`; the saga is NEEDS_ATTENTION meanwhile. */
  async await(record: StepRecord, phase: Attention['phase']): Promise<OperatorDecision> {
    this.attention.push({
      step: record.name,
      phase,
      error: record.lastError ?? 'unknown',
      since: new Date().toISOString(),
    });
    this.onWaiting(true, phase);
    log.error('saga needs attention', {
      flowType: this.saga.flowType,
      step: record.name,
      phase,
      error: record.lastError,
    });
    try {
      await condition(() => this.decisions.has(record.name));
      return this.decisions.get(record.name)!;
    } finally {
      this.decisions.delete(record.name);
      const i = this.attention.findIndex((a) => a.step === record.name);
      if (i >= 0) this.attention.splice(i, 1);
      // Several steps may wait at once: the saga is back at work only when none waits any more.
      if (this.attention.length === 0) this.onWaiting(false, phase);
    }
  }

  private validate(action: OperatorAction): void {
    if (typeof action?.by !== 'string' || action.by.trim() === '') throw new Error('operator action needs "by"');
    if (this.attention.length === 0) throw new Error(`saga is ${this.saga.status()}, not NEEDS_ATTENTION`);
    const step = action.step ?? (this.attention.length === 1 ? this.attention[0]!.step : undefined);
    if (step === undefined)
      throw new Error(`several steps wait (${this.attention.map((a) => a.step).join(', ')}); name one`);
    if (!this.attention.some((a) => a.step === step)) throw new Error(`step ${step} is not waiting for an operator`);
    if (this.decisions.has(step)) throw new Error(`step ${step} already has a decision`);
  }

  /**
   * Records the decision in the audit trail (workflow time), lets the waiting step go on, and
   * answers the state once the step took it up (skipped, or running again), not the one before.
   */
  private async decide(action: OperatorAction, decision: OperatorDecision): Promise<SagaState> {
    const waiting =
      action.step === undefined ? this.attention[0]! : this.attention.find((a) => a.step === action.step)!;
    const reason = decision.action === 'skip' ? decision.reason : action.reason;
    this.actions.push({
      action: decision.action,
      step: waiting.step,
      phase: waiting.phase,
      by: action.by,
      at: new Date().toISOString(),
      ...(reason !== undefined ? { reason } : {}),
      error: waiting.error,
    });
    log.info('operator decision', { step: waiting.step, decision: decision.action, by: action.by, reason });
    this.decisions.set(waiting.step, decision);
    // `await` deletes the decision as the step takes it up; no timer, so no command in the history.
    await condition(() => !this.decisions.has(waiting.step));
    return this.saga.state();
  }
}
