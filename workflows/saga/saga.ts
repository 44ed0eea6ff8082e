import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setHandler,
  sleep,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { FlowType, SagaStatus as SagaStatusKey } from '../../contracts/search-attributes';
import {
  SKIPPED,
  retryUpdate,
  sagaStateQuery,
  skipUpdate,
  type Attention,
  type OperatorAction,
  type SagaState,
  type SagaStatus,
  type StepRecord,
} from './definitions';
import { describeError, isBusinessRefusal } from './errors';
import { sagaMetrics } from './metrics';
import { TccTransaction, type TccBranch, type TccOptions } from './tcc';

export interface SagaOptions {
  flowType: string;
  /** The steps in order, so the timeline shows the pending ones from the start. */
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
}

export interface StepOptions {
  /** Undo for the step, registered before the step runs; must tolerate "nothing to undo". */
  compensate?: (cause: Error) => Promise<unknown>;
  /** After a pivot succeeds the saga never unwinds: later steps are retried forward. */
  pivot?: boolean;
}

interface Compensation {
  record: StepRecord;
  run: (cause: Error) => Promise<unknown>;
}

type OperatorDecision = { action: 'retry' } | { action: 'skip'; reason: string };

const nowIso = () => new Date().toISOString();
/**
 * A saga inside one workflow: forward steps, each with a compensation registered before it runs.
 * `run` executes the body; when a step fails before the pivot, or the workflow is cancelled, the
 * done (and uncertain) steps are compensated in a non-cancellable scope, in reverse order or all at
 * once, and the saga fails with the original cause and the list of what was compensated.
 * A compensation, or a step after the pivot, that keeps failing puts the saga in NEEDS_ATTENTION
 * until an operator sends `retry` or `skip`; nothing is swallowed.
 */
export class Saga {
  private readonly steps: StepRecord[] = [];
  private readonly compensations: Compensation[] = [];
  private readonly attention: Attention[] = [];
  private readonly decisions = new Map<string, OperatorDecision>();
  private status: SagaStatus = 'RUNNING';
  private pastPivot = false;
  private failure: SagaState['failure'];
  private readonly metrics: ReturnType<typeof sagaMetrics>;

  constructor(private readonly options: SagaOptions) {
    this.metrics = sagaMetrics(options.flowType);
    this.metrics.count('STARTED');
    for (const name of options.plan ?? []) this.record(name);
    setHandler(sagaStateQuery, () => this.state());
    setHandler(retryUpdate, (action) => this.decide(action, { action: 'retry' }), {
      validator: (action: OperatorAction) => this.validateOperator(action),
    });
    setHandler(skipUpdate, (action) => this.decide(action, { action: 'skip', reason: action.reason }), {
      validator: (action: OperatorAction & { reason: string }) => {
        this.validateOperator(action);
        if (typeof action.reason !== 'string' || action.reason.trim() === '') throw new Error('skip needs a reason');
      },
    });
    this.setStatus('RUNNING');
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
        attention: this.attention,
        ...(this.failure ? { failure: this.failure } : {}),
      }),
    ) as SagaState;
  }

  /**
   * Runs the saga body. Resolves with its result when every step succeeded; otherwise compensates
   * and rejects: with a non-retryable `SagaFailed` ApplicationFailure (cause: the step's failure)
   * after a failure, or with the CancelledFailure after a cancellation.
   */
  async run<T>(body: () => Promise<T>): Promise<T> {
    try {
      const result = await body();
      this.setStatus('COMPLETED');
      return result;
    } catch (err) {
      const cause = err instanceof Error ? err : new Error(String(err));
      const cancelled = isCancellation(err);
      const compensated = await CancellationScope.nonCancellable(() => this.unwind(cause));
      this.setStatus(cancelled ? 'CANCELLED' : 'COMPENSATED');
      if (cancelled) throw err;
      const failedStep = this.failure?.step ?? 'unknown';
      throw ApplicationFailure.create({
        type: 'SagaFailed',
        message: `${this.options.flowType} failed at ${failedStep}: ${describeError(cause)}; compensated: ${
          compensated.length > 0 ? compensated.join(', ') : 'nothing'
        }`,
        nonRetryable: true,
        cause,
        details: [{ failedStep, compensated, steps: this.state().steps }],
      });
    }
  }

  /**
   * Runs one step. Its compensation is registered first, so a step that timed out after the remote
   * side acted is still undone; a business refusal (a non-retryable ApplicationFailure with a type)
   * means the service did nothing, so that step's own compensation is not run. Before the pivot a
   * failure rejects (and `run` unwinds); after it, the step is retried until it succeeds or an
   * operator skips it.
   */
  async step<T>(name: string, forward: () => Promise<T>, options: StepOptions = {}): Promise<T | undefined> {
    const record = this.record(name);
    record.pivot = options.pivot === true;
    if (options.compensate) this.compensations.push({ record, run: options.compensate });
    if (this.pastPivot) {
      // Past the pivot the saga only goes forward: a cancellation of the workflow does not stop it.
      const result = await CancellationScope.nonCancellable(() => this.persist(record, 'forward', forward));
      return result === SKIPPED ? undefined : result;
    }

    try {
      const result = await this.attempt(record, forward);
      if (options.pivot) this.pastPivot = true;
      return result;
    } catch (err) {
      if (isBusinessRefusal(err)) {
        const i = this.compensations.findIndex((c) => c.record === record);
        if (i >= 0) this.compensations.splice(i, 1);
      }
      throw err;
    }
  }

  /**
   * A TCC step: tries every branch in parallel within `tryTimeout`. Cancel-all is registered as the
   * step's compensation before any try runs, so a failed or late try phase (or any later failure
   * before the pivot) cancels every branch. Returns the transaction; call `confirmAll()` (usually
   * as a step after the pivot) to commit. Confirm and cancel are retried until they succeed.
   */
  async tcc(name: string, branches: TccBranch[], options: TccOptions): Promise<TccTransaction> {
    const record = this.record(name);
    const tx = new TccTransaction(record, branches, (r, phase, work) => this.persist(r, phase, work));
    this.compensations.push({ record, run: () => tx.cancelAll() });
    await this.attempt(record, () => tx.tryAll(options));
    return tx;
  }

  /**
   * One forward attempt of a step before the pivot, kept on its record; a failure that is not a
   * cancellation becomes the saga's failure (the step that starts the unwind). Rethrows.
   */
  private async attempt<T>(record: StepRecord, work: () => Promise<T>): Promise<T> {
    record.status = 'running';
    record.startedAt = nowIso();
    record.attempts += 1;
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

  private record(name: string): StepRecord {
    let record = this.steps.find((s) => s.name === name);
    if (!record) {
      record = { name, status: 'pending', pivot: false, attempts: 0, compensationAttempts: 0 };
      this.steps.push(record);
    }
    return record;
  }

  /** Compensates every registered step; returns the names whose compensation ran to the end. */
  private async unwind(cause: Error): Promise<string[]> {
    this.setStatus('COMPENSATING');
    const pending = [...this.compensations].reverse();
    const compensateOne = async (c: Compensation): Promise<string | undefined> => {
      const outcome = await this.persist(c.record, 'compensation', () => c.run(cause));
      return outcome === SKIPPED ? undefined : c.record.name;
    };
    const done = this.options.parallelUnwind
      ? await Promise.all(pending.map(compensateOne))
      : await pending.reduce<Promise<(string | undefined)[]>>(
          async (acc, c) => [...(await acc), await compensateOne(c)],
          Promise.resolve([]),
        );
    return done.filter((n): n is string => n !== undefined);
  }

  /**
   * Runs `work` until it succeeds, with saga-level backoff between failures; after
   * `attemptsBeforeAttention` failures in a row, waits in NEEDS_ATTENTION for an operator.
   * Resolves SKIPPED when the operator skipped it.
   */
  private async persist<T>(
    record: StepRecord,
    phase: Attention['phase'],
    work: () => Promise<T>,
  ): Promise<T | typeof SKIPPED> {
    const limit = this.options.attemptsBeforeAttention ?? 5;
    const initial = msToNumber(this.options.backoff?.initial ?? '1 second');
    const max = msToNumber(this.options.backoff?.max ?? '1 minute');
    record.status = phase === 'forward' ? 'running' : 'compensating';
    record.startedAt ??= nowIso();
    for (let failures = 0; ;) {
      if (phase === 'forward') record.attempts += 1;
      else record.compensationAttempts += 1;
      const began = Date.now();
      try {
        const result = await work();
        record.status = phase === 'forward' ? 'done' : 'compensated';
        record.finishedAt = nowIso();
        this.metrics.step(record.name, phase === 'forward' ? 'done' : 'compensated', Date.now() - began);
        return result;
      } catch (err) {
        this.failed(record, phase, err, Date.now() - began, failures + 1);
        if (phase === 'forward' && isCancellation(err)) throw err;
        failures += 1;
        record.status = phase === 'forward' ? 'failed' : 'compensation-failed';
        if (failures < limit) {
          await sleep(Math.min(initial * 2 ** (failures - 1), max), {
            summary: `Back off before ${phase === 'forward' ? 'retrying' : 'compensating'} ${record.name} again`,
          });
          record.status = phase === 'forward' ? 'running' : 'compensating';
          continue;
        }
        const decision = await this.awaitOperator(record, phase);
        if (decision.action === 'skip') {
          record.status = 'skipped';
          record.skipReason = decision.reason;
          record.finishedAt = nowIso();
          return SKIPPED;
        }
        failures = 0;
        record.status = phase === 'forward' ? 'running' : 'compensating';
      }
    }
  }

  private async awaitOperator(record: StepRecord, phase: Attention['phase']): Promise<OperatorDecision> {
    this.attention.push({ step: record.name, phase, error: record.lastError ?? 'unknown', since: nowIso() });
    this.setStatus('NEEDS_ATTENTION');
    log.error('saga needs attention', {
      flowType: this.options.flowType,
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
      // Back to what the saga is doing once nobody waits any more (several steps may have waited at once).
      if (this.attention.length === 0) this.setStatus(phase === 'compensation' ? 'COMPENSATING' : 'RUNNING');
    }
  }

  private validateOperator(action: OperatorAction): void {
    if (typeof action?.by !== 'string' || action.by.trim() === '') throw new Error('operator action needs "by"');
    if (this.attention.length === 0) throw new Error(`saga is ${this.status}, not NEEDS_ATTENTION`);
    const step = action.step ?? (this.attention.length === 1 ? this.attention[0]!.step : undefined);
    if (step === undefined)
      throw new Error(`several steps wait (${this.attention.map((a) => a.step).join(', ')}); name one`);
    if (!this.attention.some((a) => a.step === step)) throw new Error(`step ${step} is not waiting for an operator`);
    if (this.decisions.has(step)) throw new Error(`step ${step} already has a decision`);
  }

  private decide(action: OperatorAction, decision: OperatorDecision): SagaState {
    const step = action.step ?? this.attention[0]!.step;
    log.info('operator decision', { step, decision: decision.action, by: action.by });
    this.decisions.set(step, decision);
    return this.state();
  }

  private setStatus(status: SagaStatus): void {
    if (status !== this.status) this.metrics.count(status);
    if (status === 'COMPLETED' || status === 'COMPENSATED' || status === 'CANCELLED') {
      log.info('saga finished', { flowType: this.options.flowType, status, failedStep: this.failure?.step });
    }
    this.status = status;
    upsertSearchAttributes([
      { key: FlowType, value: this.options.flowType },
      { key: SagaStatusKey, value: status },
    ]);
  }
}
