import { fileURLToPath } from 'node:url';
import { Context } from '@temporalio/activity';
import type { WorkflowFailedError, WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { workflowBundlePath } from '../../apps/worker/bundle';
import { FlowType, SagaStatus } from '../../contracts/search-attributes';
import { sagaStateQuery, skipUpdate, retryUpdate, type SagaState } from '../../workflows/saga';
import { useTimeSkippingEnv } from '../support/fixtures';
import { customStatusKey, scriptedSaga, type Script, type ScriptActivities } from '../support/saga-test-workflows';
import { uniqueTaskQueue } from '../support/temporal';

// The library on its own: a scripted saga of the tests' own, none of our flows, no search
// attributes or metrics of ours.
const ts = useTimeSkippingEnv();
let bundle: string;
beforeAll(async () => {
  bundle = await workflowBundlePath(fileURLToPath(new URL('../support/saga-test-workflows.ts', import.meta.url)));
});

type Fail = (op: string, attempt: number) => Error | undefined;
const refused = (type: string) => ApplicationFailure.nonRetryable(`${type} for this test`, type);

/** Activities that log every call (`work:a`, `undo:a`) and fail where `fail` says so. */
function activities(fail: Fail = () => undefined, slow?: (op: string) => boolean) {
  const calls: string[] = [];
  const attempts = new Map<string, number>();
  const call = (kind: string) => async (op: string) => {
    const n = (attempts.get(`${kind}:${op}`) ?? 0) + 1;
    attempts.set(`${kind}:${op}`, n);
    calls.push(`${kind}:${op}`);
    const err = fail(`${kind}:${op}`, n);
    if (err) throw err;
    if (slow?.(`${kind}:${op}`)) {
      const ctx = Context.current();
      for (;;) {
        ctx.heartbeat();
        await ctx.sleep(200);
      }
    }
    return `${op} done`;
  };
  const impl: ScriptActivities = { work: call('work'), undo: call('undo') };
  return { calls, impl };
}

/** Runs a script to its end; `during` acts on it first. Never throws for the workflow's failure. */
async function run(
  script: Script,
  acts = activities(),
  during?: (h: WorkflowHandle<typeof scriptedSaga>) => Promise<void>,
) {
  const taskQueue = uniqueTaskQueue('unit-saga-lib');
  const worker = await Worker.create({
    connection: ts.env.nativeConnection,
    taskQueue,
    workflowBundle: { codePath: bundle },
    activities: acts.impl,
  });
  return worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start(scriptedSaga, {
      taskQueue,
      workflowId: uniqueTaskQueue('saga'),
      args: [script],
    });
    await during?.(handle);
    const outcome = await handle.result().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error: error as WorkflowFailedError }),
    );
    const state = await handle.query(sagaStateQuery);
    const details = await currentDetails(handle);
    const { typedSearchAttributes } = await handle.describe();
    return { ...outcome, state, details, calls: acts.calls, attributes: typedSearchAttributes, handle };
  });
}

/** The workflow's current details, as the Temporal UI reads them (the SDK's metadata query). */
const currentDetails = async (h: WorkflowHandle) => (await h.query(workflowMetadataQuery)).currentDetails ?? '';

/** Advances skipped time until the saga's state satisfies `ready`. */
async function until(handle: WorkflowHandle, ready: (s: SagaState) => boolean): Promise<SagaState> {
  for (let i = 0; i < 100; i++) {
    const state = await handle.query(sagaStateQuery);
    if (ready(state)) return state;
    await ts.env.sleep('1 second');
  }
  throw new Error('saga never reached the expected state');
}

const steps = (...names: string[]): Script['steps'] => names.map((name) => ({ kind: 'step', name }));
const undone = (calls: string[]) => calls.filter((c) => c.startsWith('undo:'));

describe('the saga library on its own (time-skipping server, scripted saga)', () => {
  it('runs the steps in order, and a refusal undoes exactly the steps before it, in reverse', async () => {
    const { error, state, calls, details } = await run(
      { steps: steps('a', 'b', 'c', 'd') },
      activities((op) => (op === 'work:c' ? refused('Nope') : undefined)),
    );
    expect(details).toContain('**scriptedSaga** · COMPENSATED\n\nFailed at c: Nope: Nope for this test');
    expect(calls).toEqual(['work:a', 'work:b', 'work:c', 'undo:b', 'undo:a']);
    expect(state.status).toBe('COMPENSATED');
    expect(state.failure).toEqual({ step: 'c', error: 'Nope: Nope for this test' });
    expect(state.steps.map((s) => [s.name, s.status])).toEqual([
      ['a', 'compensated'],
      ['b', 'compensated'],
      ['c', 'failed'],
    ]); // d never ran: the timeline of a finished saga leaves it out
    expect(error?.cause).toMatchObject({ type: 'SagaFailed', message: expect.stringContaining('compensated: b, a') });
  });

  it('past the pivot it never unwinds: a failing step is retried forward and its value returned', async () => {
    const { result, state, calls } = await run(
      {
        steps: [
          { kind: 'step', name: 'a' },
          { kind: 'step', name: 'pay', pivot: true, undo: false },
          { kind: 'forward', name: 'ship' },
        ],
      },
      activities((op, n) => (op === 'work:ship' && n <= 3 ? new Error('ECONNRESET') : undefined)),
    );
    expect(result?.values).toEqual({ a: 'a done', pay: 'pay done', ship: 'ship done' });
    expect(undone(calls)).toEqual([]);
    expect(state.status).toBe('COMPLETED');
    expect(state.steps.find((s) => s.name === 'ship')).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('an operator may skip a stuck step after the pivot: its value is SKIPPED, typed, and the saga completes', async () => {
    const acts = activities((op) => (op === 'work:ship' ? new Error('ECONNRESET') : undefined));
    const script: Script = {
      steps: [
        { kind: 'step', name: 'pay', pivot: true, undo: false },
        { kind: 'forward', name: 'ship' },
      ],
    };
    const { result, state } = await run(script, acts, async (h) => {
      const stuck = await until(h, (s) => s.status === 'NEEDS_ATTENTION');
      expect(stuck.attention).toMatchObject([{ step: 'ship', phase: 'forward' }]);
      await h.executeUpdate(skipUpdate, { args: [{ by: 'ops', reason: 'shipped by hand' }] });
    });
    expect(result?.values.ship).toBe('SKIPPED');
    expect(state.status).toBe('COMPLETED');
    expect(state.steps.find((s) => s.name === 'ship')).toMatchObject({
      status: 'skipped',
      skipReason: 'shipped by hand',
    });
  });

  it('keeps every operator decision in its state: who, when (workflow time), what and why', async () => {
    const acts = activities((op) => (op === 'work:ship' ? new Error('ECONNRESET') : undefined));
    const script: Script = {
      steps: [
        { kind: 'step', name: 'pay', pivot: true, undo: false },
        { kind: 'forward', name: 'ship' },
      ],
    };
    const stuck = (s: SagaState) => s.status === 'NEEDS_ATTENTION';
    const { state } = await run(script, acts, async (h) => {
      await until(h, stuck);
      const afterRetry = await h.executeUpdate(retryUpdate, { args: [{ by: 'bob', reason: 'carrier is back' }] });
      // The update answers the state after the decision took effect: the step runs again.
      expect(afterRetry.operatorActions).toMatchObject([{ action: 'retry', by: 'bob' }]);
      expect(afterRetry).toMatchObject({ status: 'RUNNING', attention: [] });
      expect(afterRetry.steps.find((s) => s.name === 'ship')?.status).toBe('running');
      await until(h, (s) => stuck(s) && s.operatorActions.length === 1);
      const afterSkip = await h.executeUpdate(skipUpdate, {
        args: [{ by: 'alice', step: 'ship', reason: 'shipped by hand' }],
      });
      expect(afterSkip.steps.find((s) => s.name === 'ship')?.status).toBe('skipped');
      expect(afterSkip.attention).toEqual([]);
    });
    const error = expect.stringContaining('ECONNRESET');
    expect(state.operatorActions).toEqual([
      {
        action: 'retry',
        step: 'ship',
        phase: 'forward',
        by: 'bob',
        reason: 'carrier is back',
        error,
        at: expect.any(String),
      },
      {
        action: 'skip',
        step: 'ship',
        phase: 'forward',
        by: 'alice',
        reason: 'shipped by hand',
        error,
        at: expect.any(String),
      },
    ]);
    const [retried, skipped] = state.operatorActions.map((a) => Date.parse(a.at));
    // Workflow time: the skip came after the retried step failed its budget again, in skipped time.
    expect(skipped).toBeGreaterThan(retried!);
    expect(state.status).toBe('COMPLETED');
  });

  it('refuses a retry whose reason is empty, and records nothing', async () => {
    const acts = activities((op) => (op === 'work:ship' ? new Error('ECONNRESET') : undefined));
    const script: Script = {
      steps: [
        { kind: 'step', name: 'pay', pivot: true, undo: false },
        { kind: 'forward', name: 'ship' },
      ],
    };
    const { state } = await run(script, acts, async (h) => {
      await until(h, (s) => s.status === 'NEEDS_ATTENTION');
      await expect(h.executeUpdate(retryUpdate, { args: [{ by: 'bob', reason: ' ' }] })).rejects.toMatchObject({
        cause: { message: expect.stringContaining('reason') },
      });
      expect((await h.query(sagaStateQuery)).operatorActions).toEqual([]);
      await h.executeUpdate(skipUpdate, { args: [{ by: 'alice', reason: 'shipped by hand' }] });
    });
    expect(state.operatorActions.map((a) => [a.action, a.by])).toEqual([['skip', 'alice']]);
  });

  it('a compensation that keeps failing waits in NEEDS_ATTENTION, and a retry finishes the unwind', async () => {
    let healed = false;
    const acts = activities((op) =>
      op === 'work:c' ? refused('Nope') : op === 'undo:a' && !healed ? new Error('ECONNRESET') : undefined,
    );
    const { state, calls } = await run({ steps: steps('a', 'b', 'c') }, acts, async (h) => {
      const stuck = await until(h, (s) => s.status === 'NEEDS_ATTENTION');
      expect(stuck.attention).toMatchObject([{ step: 'a', phase: 'compensation' }]);
      healed = true;
      await h.executeUpdate(retryUpdate, { args: [{ by: 'ops', step: 'a' }] });
    });
    expect(state.status).toBe('COMPENSATED');
    expect(state.steps.find((s) => s.name === 'a')).toMatchObject({ status: 'compensated' });
    expect(calls.filter((c) => c === 'undo:a').length).toBeGreaterThan(2);
  });

  it('unwinds in parallel when asked: every compensation starts before any finishes', async () => {
    const events: string[] = [];
    const acts = activities((op) => (op === 'work:d' ? refused('Nope') : undefined));
    const undo = acts.impl.undo;
    acts.impl.undo = async (op) => {
      events.push(`start:${op}`);
      await new Promise((r) => setTimeout(r, 300));
      events.push(`end:${op}`);
      return undo(op);
    };
    const { state, calls } = await run({ steps: steps('a', 'b', 'c', 'd'), parallelUnwind: true }, acts);
    expect(new Set(undone(calls))).toEqual(new Set(['undo:a', 'undo:b', 'undo:c']));
    const firstEnd = events.findIndex((e) => e.startsWith('end:'));
    expect(events.slice(0, firstEnd).filter((e) => e.startsWith('start:'))).toHaveLength(3);
    expect(state.status).toBe('COMPENSATED');
  });

  it('keeps its timeline as the current details: pending steps while it runs, only the steps that ran once it ended', async () => {
    let running = '';
    const acts = activities(undefined, (op) => op === 'work:c');
    const { state, details } = await run({ steps: steps('a', 'b', 'c', 'd') }, acts, async (h) => {
      await until(h, (s) => s.steps.find((x) => x.name === 'c')?.status === 'running');
      running = await currentDetails(h);
      await h.cancel();
    });
    expect(running.split('\n')).toEqual([
      '**scriptedSaga** · RUNNING',
      '',
      '| Step | Status | Attempts | Note |',
      '| --- | --- | --- | --- |',
      '| a | done | 1 |  |',
      '| b | done | 1 |  |',
      '| c | running | 1 |  |',
      '| d | pending | 0 |  |',
    ]);
    // Ended: d never ran, so neither the timeline nor the details list it as pending.
    expect(state.steps.map((s) => s.name)).toEqual(['a', 'b', 'c']);
    expect(details).toContain('**scriptedSaga** · CANCELLED');
    expect(details).toContain('| a | compensated | 1 + 1 undo |');
    expect(details).not.toMatch(/pending|\| d \|/);
  });

  it('a cancelled workflow undoes the done steps and ends CANCELLED', async () => {
    const acts = activities(undefined, (op) => op === 'work:c');
    const { error, state, calls } = await run({ steps: steps('a', 'b', 'c') }, acts, async (h) => {
      await until(h, (s) => s.steps.find((x) => x.name === 'c')?.status === 'running');
      await h.cancel();
    });
    expect(error?.cause).toBeInstanceOf(CancelledFailure);
    expect(undone(calls)).toEqual(['undo:c', 'undo:b', 'undo:a']);
    expect(state.status).toBe('CANCELLED');
  });

  it('abort ends with a business outcome: the done steps are undone, ABORTED, and the reason is the answer', async () => {
    const { result, error, state, calls } = await run({
      steps: [...steps('a', 'b'), { kind: 'abort', reason: 'customer said no', type: 'Declined' }, ...steps('c')],
      handleAbort: true,
    });
    expect(error).toBeUndefined();
    expect(result?.aborted).toEqual({ reason: 'customer said no', type: 'Declined', compensated: ['b', 'a'] });
    expect(calls).toEqual(['work:a', 'work:b', 'undo:b', 'undo:a']);
    expect(state).toMatchObject({ status: 'ABORTED', aborted: { reason: 'customer said no', type: 'Declined' } });
    expect(state.failure).toBeUndefined();
  });

  it('an abort may name its outcome: the status and the search attribute say REJECTED, not ABORTED', async () => {
    const { result, state, attributes } = await run({
      steps: [...steps('a'), { kind: 'abort', reason: 'manager said no', status: 'REJECTED' }, ...steps('b')],
      handleAbort: true,
      keys: 'status-in-order-id',
    });
    expect(result?.aborted).toEqual({ reason: 'manager said no', compensated: ['a'] });
    expect(state.status).toBe('REJECTED');
    expect(attributes.get(customStatusKey)).toBe('REJECTED');
  });

  it('an abort nobody handles fails the run with the abort as the failure type', async () => {
    const { error, state } = await run({
      steps: [...steps('a'), { kind: 'abort', reason: 'too late', type: 'TooLate' }],
    });
    expect(error?.cause).toMatchObject({
      type: 'TooLate',
      nonRetryable: true,
      message: 'scriptedSaga aborted: too late; compensated: a',
    });
    expect(state.status).toBe('ABORTED');
  });

  it('TCC: a refused try cancels every branch, each on its own timeline record', async () => {
    const { state, calls } = await run(
      { steps: [{ kind: 'tcc', name: 'hold', branches: ['x', 'y'] }, ...steps('pay')] },
      activities((op) => (op === 'work:hold:y:try' ? refused('Full') : undefined)),
    );
    expect(new Set(undone(calls))).toEqual(new Set(['undo:hold:x:cancel', 'undo:hold:y:cancel']));
    expect(calls).not.toContain('work:pay');
    expect(state.status).toBe('COMPENSATED');
    expect(state.steps.map((s) => [s.name, s.status])).toEqual([
      ['hold', 'compensated'],
      ['hold:x', 'compensated'],
      ['hold:y', 'compensated'],
    ]); // pay never ran
  });

  it('TCC: a confirm that keeps failing is retried in one visible layer and skipped under its timeline name', async () => {
    const acts = activities((op) => (op === 'work:hold:y:confirm' ? new Error('ECONNRESET') : undefined));
    const script: Script = {
      steps: [
        { kind: 'tcc', name: 'hold', branches: ['x', 'y'] },
        { kind: 'step', name: 'pay', pivot: true, undo: false },
        { kind: 'confirm', name: 'commit', tcc: 'hold' },
      ],
    };
    const { result, state, calls } = await run(script, acts, async (h) => {
      const stuck = await until(h, (s) => s.status === 'NEEDS_ATTENTION');
      expect(stuck.attention).toMatchObject([{ step: 'hold:y', phase: 'forward' }]);
      expect(stuck.steps.map((s) => s.name)).toContain('hold:y');
      await h.executeUpdate(skipUpdate, { args: [{ by: 'ops', step: 'hold:y', reason: 'confirmed by hand' }] });
    });
    expect(result).toBeDefined();
    // 2 saga attempts of 2 activity attempts each: one layer of retries, not two nested ones.
    expect(calls.filter((c) => c === 'work:hold:y:confirm')).toHaveLength(4);
    expect(undone(calls)).toEqual([]);
    expect(state.status).toBe('COMPLETED');
    expect(state.steps.find((s) => s.name === 'hold')?.branches?.map((b) => b.phase)).toEqual(['confirmed', 'skipped']);
    expect(state.steps.find((s) => s.name === 'hold:y')).toMatchObject({ status: 'skipped', attempts: 3 });
    expect(state.steps.find((s) => s.name === 'commit')?.status).toBe('done');
  });

  it('upserts no search attributes unless given keys, and then exactly the keys it was given', async () => {
    const plain = await run({ steps: steps('a') });
    expect(plain.attributes.get(SagaStatus)).toBeUndefined();
    expect(plain.attributes.get(FlowType)).toBeUndefined();
    const custom = await run({ steps: steps('a'), keys: 'status-in-order-id' });
    expect(custom.attributes.get(customStatusKey)).toBe('COMPLETED');
    expect(custom.attributes.get(SagaStatus)).toBeUndefined();
    expect(custom.attributes.get(FlowType)).toBeUndefined();
  });
});
