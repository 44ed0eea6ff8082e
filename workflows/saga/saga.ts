import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { defineSearchAttributeKey, Duration, SearchAttributeType } from '@temporalio/common';
import {
  SKIPPED,
  abortStatuses,
  sagaStateQuery,
  type AbortStatus,
  type Attention,
  type SagaState,
  type SagaStatus,
  type Skipped,
  type StepRecord,
} from './definitions';
import { renderDetails } from './details';
import { durationMs } from './duration';
import { describeError, isBusinessRefusal } from './errors';
import { sagaMetrics, type SagaMetrics, type SagaMetricsOptions } from './metrics';
import { OperatorDesk } from './operator';
import { TccTransaction, type TccBranch, type TccOptions } from './tcc';

// The SDK exports the key's type only through its factory.
type Keyword = ReturnType<typeof defineSearchAttributeKey<typeof SearchAttributeType.KEYWORD>>;

export interface SagaOptions {
  flowType: string;
  /** The steps in order, so the timeline shows the pending ones from the start (left out once it ended). */
  plan?: string[];
  /** Unwind all compensations at once instead of in reverse order. */
  parallelUnwind?: boolean;
  /**
   * How many times in a row a compensation (or a step after the pivot) may fail before the saga
   * stops in NEEDS_ATTENTION and waits for an operator. Activities retry transient faults on their
   * own first; each of their final failures counts once here. Default 5.
   */
  attemptsBeforeAttention?: number;
  /** Backoff between those saga-level attempts: doubles from `initial`, capped at `max`. */
  backoff?: { initial: Duration; max: Duration };
  /** Search attributes the saga keeps current (each must be registered); none by default. */
  searchAttributes?: { flowType?: Keyword; status?: Keyword };
  /** How the saga's metrics are named (see `sagaMetrics`); none by default. */
  metrics?: SagaMetricsOptions | false;
}

export interface StepOptions {
  /** Undo for the step, registered before the step runs; must tolerate "nothing to undo". */
  compensate?: (cause: Error) => Promise<unknown>;
  /** After a pivot succeeds the saga never unwinds: later steps are retried forward. */
  pivot?: boolean;
  /**
   * The compensation may run on its own (money that waits for a gateway, say): the unwind starts
   * it and goes on with the others at once, without waiting for it; the saga ends only once it
   * finished too. Read when the unwind starts (a function, so it may be a `patched` check).
   */
  detachedCompensation?: boolean | (() => boolean);
}

/** How a saga that ended with a business outcome (see `Saga.abort`) was left. */
export interface Aborted {
  reason: string;
  type?: string;
  /** The steps whose compensation ran to the end. */
  compensated: string[];
}

/** What a saga body returns to end with a business outcome: made by `Saga.abort`. */
export class SagaAbort {
  constructor(
    readonly reason: string,
    readonly type?: string,
    readonly status: AbortStatus = 'ABORTED',
  ) {}
}

interface Compensation {
  record: StepRecord;
  detached?: () => boolean;
  /** Runs the undo until it succeeds (or is skipped); resolves with the names it undid. */
  undo: (cause: Error) => Promise<string[]>;
}

const nowIso = () => new Date().toISOString();
const finished: SagaStatus[] = ['COMPLETED', 'COMPENSATED', 'CANCELLED', ...abortStatuses];

/**
 * A saga inside one workflow: forward steps, each with a compensation registered before it runs.
 * `run` executes the body; when a step fails before the pivot, the body returns `abort(reason)`,
 * or the workflow is cancelled, the done (and uncertain) steps are compensated in a non-cancellable
 * scope, in reverse order or all at once. A compensation, or a step after the pivot, that keeps
 * failing puts the saga in NEEDS_ATTENTION until an operator sends `retry` or `skip`; nothing is
 * swallowed. The saga knows no application: its search attributes and metric names come in
 * through `SagaOptions`. Its timeline is also the workflow's current details (a markdown table the
 * Temporal UI shows), kept current at every change; once the saga ended, the steps of the plan that
 * never ran are left out of both.
 */
export class Saga {
  private readonly steps: StepRecord[] = [];
  private readonly compensations: Compensation[] = [];
  private readonly desk: OperatorDesk;
  private status: SagaStatus = 'RUNNING';
  private pastPivot = false;
  private failure: SagaState['failure'];
  private aborted: SagaState['aborted'];
  private readonly metrics: SagaMetrics;

  constructor(private readonly options: SagaOptions) {
    this.metrics = sagaMetrics(options.flowType, options.metrics ?? false);
    this.metrics.count('STARTED');
    for (const name of options.plan ?? []) this.record(name);
    setHandler(sagaStateQuery, () => this.state());
    this.desk = new OperatorDesk(
      { flowType: options.flowType, status: () => this.status, state: () => this.state() },
      (waiting, phase) =>
        this.setStatus(waiting ? 'NEEDS_ATTENTION' : phase === 'compensation' ? 'COMPENSATING' : 'RUNNING'),
    );
    this.setStatus('RUNNING');
  }

  /** The current details follow the timeline: called after every change of a step or the status. */
  private changed(): void {
    setCurrentDetails(renderDetails(this.state()));
  }

  /** True once a pivot step succeeded: from then on the saga only goes forward. */
  get committed(): boolean {
    return this.pastPivot;
  }

  /** A copy of the timeline, for the `sagaState` query. */
  state(): SagaState {
    // A deep copy (the sandbox has no structuredClone): callers never hold the live records.
    return JSON.parse(
      JSON.stringify({
        flowType: this.options.flowType,
        status: this.status,
        steps: this.steps,
        attention: this.desk.attention,
        operatorActions: this.desk.actions,
        ...(this.failure ? { failure: this.failure } : {}),
        ...(this.aborted ? { aborted: this.aborted } : {}),
      }),
    ) as SagaState;
  }

  /**
   * The value a body returns to end the saga with a business outcome (a rejection, a refusal):
   * `run` compensates the done steps, the status becomes `status` (ABORTED unless the outcome has a
   * name of its own: REJECTED, WITHDRAWN, EXPIRED), and `onAbort` turns it into the flow's result.
   * Only before the pivot: a committed saga only goes forward.
   */
  abort(reason: string, type?: string, status: AbortStatus = 'ABORTED'): SagaAbort {
    if (this.pastPivot) throw new Error(`${this.options.flowType} is past its pivot; it cannot abort (${reason})`);
    return new SagaAbort(reason, type, status);
  }

  /**
   * Runs the saga body. Resolves with its result when every step succeeded (COMPLETED), or with
   * `onAbort`'s answer when the body returned `abort(...)` (without `onAbort`, rejects with a non-retryable
   * ApplicationFailure of the abort's type, default `SagaAborted`). After a failure it compensates
   * and rejects with a non-retryable `SagaFailed` (cause: the step's failure); after a cancellation,
   * with the CancelledFailure.
   */
  async run<T, A = never>(body: () => Promise<T | SagaAbort>, onAbort?: (aborted: Aborted) => A): Promise<T | A> {
    let outcome: T | SagaAbort;
    try {
      outcome = await body();
    } catch (err) {
      throw await this.fail(err);
    }
    if (!(outcome instanceof SagaAbort)) {
      this.finish('COMPLETED');
      return outcome;
    }
    const { reason, type, status } = outcome;
    this.aborted = type === undefined ? { reason } : { reason, type };
    // The compensations see the outcome as their cause (e.g. an order cancelled "RequestRejected: ...").
    const cause = type === undefined ? new Error(reason) : ApplicationFailure.create({ type, message: reason });
    const compensated = await CancellationScope.nonCancellable(() => this.unwind(cause));
    this.finish(status);
    const aborted: Aborted = { ...this.aborted, compensated };
    if (onAbort) return onAbort(aborted);
    throw ApplicationFailure.create({
      type: type ?? 'SagaAborted',
      message: `${this.options.flowType} aborted: ${reason}; compensated: ${list(compensated)}`,
      nonRetryable: true,
      details: [{ reason, compensated, steps: this.state().steps }],
    });
  }

  /** Compensates after the body threw; returns what `run` rethrows. */
  private async fail(err: unknown): Promise<unknown> {
    const cause = err instanceof Error ? err : new Error(String(err));
    const cancelled = isCancellation(err);
    const compensated = await CancellationScope.nonCancellable(() => this.unwind(cause));
    this.finish(cancelled ? 'CANCELLED' : 'COMPENSATED');
    if (cancelled) return err;
    const failedStep = this.failure?.step ?? 'unknown';
    return ApplicationFailure.create({
      type: 'SagaFailed',
      message: `${this.options.flowType} failed at ${failedStep}: ${describeError(cause)}; compensated: ${list(compensated)}`,
      nonRetryable: true,
      cause,
      details: [{ failedStep, compensated, steps: this.state().steps }],
    });
  }

  /**
   * Runs one step before the pivot (or the pivot itself). Its compensation is registered first, so
   * a step that timed out after the remote side acted is still undone; a business refusal (a
   * non-retryable ApplicationFailure with a type) means the service did nothing, so that step's
   * own compensation is not run. A failure rejects, and `run` unwinds.
   *
   * @throws an Error at once when the saga is already committed: steps after the pivot use `forward`.
   */
  async step<T>(name: string, work: () => Promise<T>, options: StepOptions = {}): Promise<T> {
    if (this.pastPivot) throw new Error(`step ${name} comes after the pivot: run it with saga.forward()`);
    const record = this.record(name);
    record.pivot = options.pivot === true;
    const compensation =
      options.compensate && this.compensate(record, options.compensate, options.detachedCompensation);
    try {
      const result = await this.attempt(record, work);
      if (options.pivot) this.pastPivot = true;
      return result;
    } catch (err) {
      if (compensation && isBusinessRefusal(err))
        this.compensations.splice(this.compensations.indexOf(compensation), 1);
      throw err;
    }
  }

  /**
   * A step that only goes forward. Once the saga is committed it is retried until it succeeds, even
   * when the workflow is cancelled, and resolves with its value, or with SKIPPED when an operator
   * skipped it. Before that it runs once like `step` (a failure unwinds); with `pivot`, it is the
   * pivot (for flows whose pivot depends on what came before).
   */
  async forward<T>(name: string, work: () => Promise<T>, options: { pivot?: boolean } = {}): Promise<T | Skipped> {
    if (!this.pastPivot) return this.step(name, work, options);
    const record = this.record(name);
    return CancellationScope.nonCancellable(() => this.persist(record, 'forward', work));
  }

  /**
   * A TCC step: tries every branch in parallel within `tryTimeout`. Cancel-all is registered as the
   * step's compensation before any try runs, so a failed or late try phase (or any later failure
   * before the pivot) cancels every branch. Each branch has its own record in the timeline,
   * `<name>:<branch>`, whose confirm and cancel the saga retries (and an operator retries or skips)
   * under that name. Returns the transaction, for `confirm`.
   */
  async tcc(name: string, branches: TccBranch[], options: TccOptions): Promise<TccTransaction> {
    if (this.pastPivot) throw new Error(`TCC ${name} comes after the pivot; try it before`);
    const record = this.record(name);
    const at = this.steps.indexOf(record);
    const records = branches.map((b, i) => this.record(`${name}:${b.name}`, at + 1 + i));
    const tx = new TccTransaction(
      record,
      branches,
      records,
      (r, phase, work) => this.persist(r, phase, work),
      () => this.changed(),
    );
    this.compensations.push({ record, undo: () => tx.cancelAll() });
    await this.attempt(record, () => tx.tryAll(options));
    return tx;
  }

  /**
   * Confirms a TCC transaction as the step `name`: every branch's confirm runs in parallel, each
   * retried on its own record until it succeeds or an operator skips it; so this never rejects for
   * a failed confirm. With `pivot`, confirming is the point of no return.
   */
  async confirm(name: string, tx: TccTransaction, options: { pivot?: boolean } = {}): Promise<void> {
    const record = this.record(name);
    record.pivot = options.pivot === true && !this.pastPivot;
    if (record.pivot) {
      await this.attempt(record, () => tx.confirmAll());
      this.pastPivot = true;
      return;
    }
    if (!this.pastPivot) throw new Error(`confirm ${name} before the pivot would commit a saga that may still unwind`);
    record.status = 'running';
    record.startedAt = nowIso();
    record.attempts += 1;
    this.changed();
    await CancellationScope.nonCancellable(() => tx.confirmAll());
    record.status = 'done';
    record.finishedAt = nowIso();
    this.changed();
  }

  private compensate(
    record: StepRecord,
    run: (cause: Error) => Promise<unknown>,
    detached: StepOptions['detachedCompensation'] = false,
  ): Compensation {
    const compensation: Compensation = {
      record,
      detached: typeof detached === 'function' ? detached : () => detached,
      undo: async (cause) =>
        (await this.persist(record, 'compensation', () => run(cause))) === SKIPPED ? [] : [record.name],
    };
    this.compensations.push(compensation);
    return compensation;
  }

  /**
   * One forward attempt of a step before the pivot, kept on its record; a failure that is not a
   * cancellation becomes the saga's failure (the step that starts the unwind). Rethrows.
   */
  private async attempt<T>(record: StepRecord, work: () => Promise<T>): Promise<T> {
    record.status = 'running';
    record.startedAt = nowIso();
    record.attempts += 1;
    this.changed();
    const began = Date.now();
    try {
      const result = await work();
      record.status = 'done';
      record.finishedAt = nowIso();
      this.metrics.step(record.name, 'done', Date.now() - began);
      return result;
    } catch (err) {
      record.status = 'failed';
      record.finishedAt = nowIso();
      this.failed(record, 'forward', err, Date.now() - began, 1);
      if (!isCancellation(err)) this.failure = { step: record.name, error: record.lastError! };
      throw err;
    } finally {
      this.changed();
    }
  }

  /** Counts, records and logs (with the step's name) one failed attempt of a step or compensation. */
  private failed(record: StepRecord, phase: Attention['phase'], err: unknown, ms: number, failures: number): void {
    this.metrics.step(record.name, 'failed', ms);
    record.lastError = describeError(err);
    if (isCancellation(err)) return;
    log.warn('saga step failed', {
      flowType: this.options.flowType,
      step: record.name,
      phase,
      failures,
      error: record.lastError,
    });
  }

  /** The record named `name`, made (at `at`, or at the end) if the timeline has none yet. */
  private record(name: string, at = this.steps.length): StepRecord {
    let record = this.steps.find((s) => s.name === name);
    if (!record) {
      record = { name, status: 'pending', pivot: false, attempts: 0, compensationAttempts: 0 };
      this.steps.splice(at, 0, record);
    }
    return record;
  }

  /**
   * Compensates every registered step; returns the names whose compensation ran to the end, in
   * unwind order. Detached compensations start first and run beside the others.
   */
  private async unwind(cause: Error): Promise<string[]> {
    this.setStatus('COMPENSATING');
    const pending = [...this.compensations].reverse();
    const detached = new Map(pending.filter((c) => c.detached?.() === true).map((c) => [c, c.undo(cause)]));
    const inline = pending.filter((c) => !detached.has(c));
    const done = this.options.parallelUnwind
      ? await Promise.all(inline.map((c) => c.undo(cause)))
      : await inline.reduce<Promise<string[][]>>(
          async (acc, c) => [...(await acc), await c.undo(cause)],
          Promise.resolve([]),
        );
    const byCompensation = new Map(inline.map((c, i) => [c, done[i]!]));
    for (const [c, undone] of detached) byCompensation.set(c, await undone);
    return pending.flatMap((c) => byCompensation.get(c) ?? []);
  }

  /**
   * Runs `work` until it succeeds, with saga-level backoff between failures; after
   * `attemptsBeforeAttention` failures in a row, waits in NEEDS_ATTENTION for an operator.
   * Resolves SKIPPED when the operator skipped it; rejects only when a forward attempt is cancelled.
   */
  private async persist<T>(
    record: StepRecord,
    phase: Attention['phase'],
    work: () => Promise<T>,
  ): Promise<T | Skipped> {
    const limit = this.options.attemptsBeforeAttention ?? 5;
    const initial = durationMs(this.options.backoff?.initial ?? '1 second');
    const max = durationMs(this.options.backoff?.max ?? '1 minute');
    const forward = phase === 'forward';
    record.status = forward ? 'running' : 'compensating';
    record.startedAt ??= nowIso();
    for (let failures = 0; ;) {
      if (forward) record.attempts += 1;
      else record.compensationAttempts += 1;
      this.changed();
      const began = Date.now();
      try {
        const result = await work();
        record.status = forward ? 'done' : 'compensated';
        record.finishedAt = nowIso();
        this.metrics.step(record.name, forward ? 'done' : 'compensated', Date.now() - began);
        this.changed();
        return result;
      } catch (err) {
        this.failed(record, phase, err, Date.now() - began, failures + 1);
        if (forward && isCancellation(err)) {
          this.changed();
          throw err;
        }
        failures += 1;
        record.status = forward ? 'failed' : 'compensation-failed';
        this.changed();
        if (failures < limit) {
          await sleep(Math.min(initial * 2 ** (failures - 1), max), {
            summary: `Back off before ${forward ? 'retrying' : 'compensating'} ${record.name} again`,
          });
        } else {
          const decision = await this.desk.await(record, phase);
          if (decision.action === 'skip') {
            record.status = 'skipped';
            record.skipReason = decision.reason;
            record.finishedAt = nowIso();
            this.changed();
            return SKIPPED;
          }
          failures = 0;
        }
        record.status = forward ? 'running' : 'compensating';
      }
    }
  }

  /** The saga ended in `status`: the steps of the plan it never reached leave the timeline. */
  private finish(status: SagaStatus): void {
    for (let i = this.steps.length - 1; i >= 0; i--) if (this.steps[i]!.status === 'pending') this.steps.splice(i, 1);
    this.setStatus(status);
  }

  private setStatus(status: SagaStatus): void {
    if (status !== this.status) this.metrics.count(status);
    if (finished.includes(status)) {
      log.info('saga finished', {
        flowType: this.options.flowType,
        status,
        failedStep: this.failure?.step,
        abortReason: this.aborted?.reason,
      });
    }
    this.status = status;
    const { flowType, status: statusKey } = this.options.searchAttributes ?? {};
    const updates = [
      ...(flowType ? [{ key: flowType, value: this.options.flowType }] : []),
      ...(statusKey ? [{ key: statusKey, value: status }] : []),
    ];
    if (updates.length > 0) upsertSearchAttributes(updates);
    this.changed();
  }
}

const list = (names: string[]) => (names.length > 0 ? names.join(', ') : 'nothing');
