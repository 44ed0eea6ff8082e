import type { Duration } from '@temporalio/common';
import { ApplicationFailure, CancellationScope, isCancellation, log } from '@temporalio/workflow';
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

/** What the saga lends a TCC transaction: its one loop that runs work until it succeeds or an operator decides. */
export type Persist = (
  record: StepRecord,
  phase: 'forward' | 'compensation',
  work: () => Promise<unknown>,
) => Promise<unknown>;

/**
 * The phases of one TCC transaction. The step's record lists every branch and its phase; each
 * branch also has its own record in the timeline (`<step>:<branch>`), on which the saga's persist
 * loop retries its confirm or cancel, so what is retried, stuck or skipped is what the timeline
 * shows. Confirm and cancel each run for all branches in parallel and are never mixed: once one
 * confirm is sent, cancel is not, and the other way round.
 */
export class TccTransaction {
  private settled: 'confirm' | 'cancel' | undefined;

  constructor(
    private readonly record: StepRecord,
    private readonly branches: TccBranch[],
    private readonly records: StepRecord[],
    private readonly persist: Persist,
    /** Told after every change of a branch's phase or record, so the saga's details follow. */
    private readonly changed: () => void = () => undefined,
  ) {
    record.branches = branches.map((b) => ({ name: b.name, phase: 'trying' }));
  }

  private phase(i: number, phase: BranchPhase, err?: unknown) {
    const branch = this.record.branches![i]!;
    branch.phase = phase;
    if (err !== undefined) branch.lastError = describeError(err);
    this.changed();
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
            const record = this.records[i]!;
            record.status = 'running';
            record.attempts += 1;
            this.changed();
            try {
              await b.try();
              record.status = 'done';
              this.phase(i, 'tried');
            } catch (err) {
              record.status = 'failed';
              record.lastError = describeError(err);
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

  /** Confirms every branch, each retried on its own record until it succeeds or is skipped. */
  async confirmAll(): Promise<void> {
    if (this.settled === 'cancel') throw new Error(`TCC ${this.record.name} was cancelled; it cannot be confirmed`);
    this.settled = 'confirm';
    await this.settle('forward', 'confirming', 'confirmed', (b) => b.confirm());
  }

  /**
   * Cancels every branch, including those whose try failed or never answered: the participants'
   * barrier makes a cancel without a try a recorded no-op and blocks a late try. Resolves with the
   * step's name when every branch was cancelled, else with the branches that were (the rest were
   * skipped by an operator). A confirmed transaction is left alone: there is nothing to cancel.
   */
  async cancelAll(): Promise<string[]> {
    if (this.settled === 'confirm') {
      log.warn('TCC already confirmed; not cancelled', { step: this.record.name });
      return [];
    }
    this.settled = 'cancel';
    this.record.status = 'compensating';
    const outcomes = await this.settle('compensation', 'cancelling', 'cancelled', (b) => b.cancel());
    const cancelled = this.records.filter((_, i) => outcomes[i] !== SKIPPED).map((r) => r.name);
    this.record.status = cancelled.length === this.records.length ? 'compensated' : 'skipped';
    this.changed();
    return cancelled.length === this.records.length ? [this.record.name] : cancelled;
  }

  private settle(
    kind: 'forward' | 'compensation',
    during: BranchPhase,
    done: BranchPhase,
    op: (b: TccBranch) => Promise<unknown>,
  ): Promise<unknown[]> /* each branch: its result or SKIPPED */ {
    return Promise.all(
      this.branches.map(async (b, i) => {
        this.phase(i, during);
        const outcome = await this.persist(this.records[i]!, kind, () => op(b));
        this.phase(i, outcome === SKIPPED ? 'skipped' : done);
        return outcome;
      }),
    );
  }
}
