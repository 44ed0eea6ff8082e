import type { Duration } from '@temporalio/common';
import { ApplicationFailure, CancellationScope, isCancellation } from '@temporalio/workflow';
import { SKIPPED, type BranchPhase, type StepRecord } from './definitions';
import { describeError } from './errors';

/** One participant of a TCC transaction: its three operations, each an activity call. */
export interface TccBranch {
  name: string;
  try: () => Promise<unknown>;
  confirm: () => Promise<unknown>;
  cancel: () => Promise<unknown>;
}

export interface TccOptions {
  /** The whole try phase must finish within this; past it, every branch is cancelled. */
  tryTimeout: Duration;
}

/** What the saga lends a TCC transaction: a way to run work until it succeeds (or an operator decides). */
export type Persist = (
  record: StepRecord,
  phase: 'forward' | 'compensation',
  work: () => Promise<unknown>,
) => Promise<unknown>;

/**
 * The phases of one TCC transaction, kept on its step record so the saga's state query shows
 * every branch. Confirm and cancel are each run for all branches, retried until they succeed,
 * and never mixed: once one confirm is sent, cancel is not, and the other way round.
 */
export class TccTransaction {
  private settled: 'confirm' | 'cancel' | undefined;

  constructor(
    private readonly record: StepRecord,
    private readonly branches: TccBranch[],
    private readonly persist: Persist,
  ) {
    record.branches = branches.map((b) => ({ name: b.name, phase: 'trying' }));
  }

  private phase(i: number, phase: BranchPhase, err?: unknown) {
    const branch = this.record.branches![i]!;
    branch.phase = phase;
    if (err !== undefined) branch.lastError = describeError(err);
  }

  /**
   * Tries every branch in parallel within the deadline; rejects on the first failure, or with a
   * non-retryable `TccTryTimeout` at the deadline (a failure to compensate, not a cancellation of
   * the workflow).
   */
  async tryAll(options: TccOptions): Promise<void> {
    const outer = CancellationScope.current();
    try {
      await CancellationScope.withTimeout(options.tryTimeout, () =>
        Promise.all(
          this.branches.map(async (b, i) => {
            try {
              await b.try();
              this.phase(i, 'tried');
            } catch (err) {
              this.phase(i, 'try-failed', err);
              throw err;
            }
          }),
        ),
      );
    } catch (err) {
      if (isCancellation(err) && !outer.consideredCancelled) {
        throw ApplicationFailure.nonRetryable(
          `TCC ${this.record.name}: try phase passed its deadline (${String(options.tryTimeout)})`,
          'TccTryTimeout',
        );
      }
      throw err;
    }
  }

  /** Confirms every branch, each retried until it succeeds. */
  async confirmAll(): Promise<void> {
    if (this.settled === 'cancel') throw new Error(`TCC ${this.record.name} was cancelled; it cannot be confirmed`);
    this.settled = 'confirm';
    await this.settle('confirming', 'confirmed', (b) => b.confirm());
  }

  /**
   * Cancels every branch, including those whose try failed or never answered: the participants'
   * barrier makes a cancel without a try a recorded no-op and blocks a late try.
   */
  async cancelAll(): Promise<void> {
    if (this.settled === 'confirm') throw new Error(`TCC ${this.record.name} was confirmed; it cannot be cancelled`);
    this.settled = 'cancel';
    await this.settle('cancelling', 'cancelled', (b) => b.cancel());
  }

  private async settle(during: BranchPhase, done: BranchPhase, op: (b: TccBranch) => Promise<unknown>) {
    await Promise.all(
      this.branches.map(async (b, i) => {
        this.phase(i, during);
        const sub: StepRecord = {
          name: `${this.record.name}:${b.name}`,
          status: 'running',
          pivot: false,
          attempts: 0,
          compensationAttempts: 0,
        };
        const outcome = await this.persist(sub, during === 'confirming' ? 'forward' : 'compensation', () => op(b));
        this.phase(i, outcome === SKIPPED ? 'skipped' : done);
      }),
    );
  }
}
