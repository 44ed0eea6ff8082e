import type { WorkflowHandle } from '@temporalio/client';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { Activities } from '../../activities';
import { SagaStatus } from '../../contracts/search-attributes';
import { defaultRouting, type ApprovalInput, type ApprovalState } from '../../contracts/approval';
import {
  approvalFlow,
  approvalStateQuery,
  approveUpdate,
  commentUpdate,
  delegateUpdate,
  rejectUpdate,
  sagaStateQuery,
  withdrawUpdate,
} from '../../workflows';
import { useTimeSkippingEnv } from '../support/fixtures';
import { compensationsIn, mockActivities } from '../support/mock-activities';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const ts = useTimeSkippingEnv();

type Notice = Parameters<Activities['notify']>[0];
type Handle = WorkflowHandle<typeof approvalFlow>;
const DAY = 24 * 60 * 60 * 1000;

let seq = 0;
/** 500.00 from support (team lead only), two-day SLA per level, thirty days to decide. */
const aRequest = (over: Partial<ApprovalInput> = {}): ApprovalInput => ({
  requestId: `ap-${++seq}`,
  kind: 'purchase',
  requester: 'req-ann',
  department: 'support',
  amountCents: 50_000,
  currency: 'EUR',
  description: 'two monitors',
  slaPerLevelMs: 2 * DAY,
  deadlineMs: 30 * DAY,
  routing: defaultRouting,
  ...over,
});
const twoBudgets = {
  budget: [
    { department: 'support', amountCents: 30_000 },
    { department: 'sales', amountCents: 20_000 },
  ],
};

/** Mocked activities that also keep each notification and each budget call's input. */
function mocks(overrides: Parameters<typeof mockActivities>[0] = {}) {
  const notes: Notice[] = [];
  const budget: { name: string; holdId: string; idempotencyKey: string }[] = [];
  const statuses = { holdBudget: 'HELD', commitBudget: 'COMMITTED', releaseBudget: 'RELEASED' } as const;
  const record = (name: keyof typeof statuses) => async (i: { holdId: string; idempotencyKey: string }) => {
    budget.push({ name, holdId: i.holdId, idempotencyKey: i.idempotencyKey });
    return { holdId: i.holdId, status: statuses[name] };
  };
  const mock = mockActivities({
    notify: async (i: Notice) => {
      notes.push(i);
      return { notificationId: i.notificationId };
    },
    holdBudget: record('holdBudget'),
    commitBudget: record('commitBudget'),
    releaseBudget: record('releaseBudget'),
    ...overrides,
  });
  return { ...mock, notes, budget };
}

/** Runs one approval to its end, `during` acting on it first; the workflow's failure is returned, not thrown. */
async function run(m: ReturnType<typeof mocks>, input = aRequest(), during?: (h: Handle) => Promise<void>) {
  const taskQueue = uniqueTaskQueue('unit-approval');
  return withWorker({ connection: ts.env.nativeConnection, taskQueue, activities: m.activities }, async () => {
    const handle = await ts.env.client.workflow.start(approvalFlow, {
      taskQueue,
      workflowId: `approval:${input.requestId}`,
      args: [input],
    });
    await during?.(handle).catch(async (err: unknown) => {
      // A failed test must not leave its workflow open (its tasks would hold the shared clock): let
      // it run to its end in skipped time, or terminate it when it cannot get there.
      const ended = handle
        .result()
        .catch(() => undefined)
        .then(() => true);
      if (!(await Promise.race([ended, pause(5000).then(() => false)]))) {
        await handle.terminate('test failed').catch(() => undefined);
      }
      throw err;
    });
    const outcome = await handle.result().then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    const state = await handle.query(approvalStateQuery).catch(() => undefined);
    const saga = await handle.query(sagaStateQuery).catch(() => undefined);
    const { typedSearchAttributes } = await handle.describe();
    return { ...outcome, state, saga, sagaStatus: typedSearchAttributes.get(SagaStatus), handle };
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the state (no time skipped) until `ready`. */
async function until(handle: Handle, ready: (s: ApprovalState) => boolean): Promise<ApprovalState> {
  for (let i = 0; i < 200; i++) {
    const state = await handle.query(approvalStateQuery);
    if (ready(state)) return state;
    await pause(25);
  }
  throw new Error('approval never reached the expected state');
}

/** Waits until the workflow has nothing in flight (no task, no activity); returns its history length. */
async function settled(handle: Handle): Promise<number> {
  let previous = -1;
  for (let i = 0; i < 100; i++) {
    const events = (await handle.fetchHistory()).events ?? [];
    const last = events.at(-1);
    const busy =
      last?.activityTaskScheduledEventAttributes ??
      last?.workflowTaskScheduledEventAttributes ??
      last?.workflowTaskStartedEventAttributes;
    if (events.length === previous && !busy) return previous;
    previous = events.length;
    await pause(100);
  }
  throw new Error('history never settled');
}

type HistoryEvent = NonNullable<Awaited<ReturnType<Handle['fetchHistory']>>['events']>[number];
const workflowTaskEvent = (e: HistoryEvent) =>
  Boolean(
    e.workflowTaskScheduledEventAttributes ??
    e.workflowTaskStartedEventAttributes ??
    e.workflowTaskCompletedEventAttributes,
  );

const act = (h: Handle) => ({
  approve: (by: string, comment?: string) => h.executeUpdate(approveUpdate, { args: [{ by, comment }] }),
  reject: (by: string, reason: string) => h.executeUpdate(rejectUpdate, { args: [{ by, reason }] }),
  delegate: (by: string, to: string) => h.executeUpdate(delegateUpdate, { args: [{ by, to }] }),
  comment: (by: string, text: string) => h.executeUpdate(commentUpdate, { args: [{ by, text }] }),
  withdraw: (by: string, reason?: string) => h.executeUpdate(withdrawUpdate, { args: [{ by, reason }] }),
});
/** Update refusals arrive as WorkflowUpdateFailedError whose cause carries the validator's message. */
const refusedWith = (pattern: RegExp) => ({ cause: { message: expect.stringMatching(pattern) } });
const trail = (audit: ApprovalState['audit']) => audit.map((e) => [e.what, e.who, e.level]);
const sent = (notes: Notice[], kind: Notice['kind']) => notes.filter((n) => n.kind === kind).map((n) => n.to);

describe('approvalFlow (time-skipping server, mocked activities)', () => {
  it.each([
    ['500.00', 50_000, [['team-lead', 'tl-support']]],
    [
      '5,000.00',
      500_000,
      [
        ['team-lead', 'tl-support'],
        ['department-head', 'head-support'],
      ],
    ],
    [
      '50,000.00',
      5_000_000,
      [
        ['team-lead', 'tl-support'],
        ['department-head', 'head-support'],
        ['finance', 'finance-1'],
      ],
    ],
  ] as const)(
    'routes %s from support through its levels and approves them in order',
    async (_, amountCents, expected) => {
      const m = mocks();
      const input = aRequest({ amountCents });
      const { result, state } = await run(m, input, async (h) => {
        const start = await h.query(approvalStateQuery);
        expect(start.levels.map((l) => [l.role, l.approver])).toEqual(expected);
        expect(start).toMatchObject({ status: 'PENDING', currentLevel: 0, currentApprover: 'tl-support' });
        if (expected.length > 1) {
          // Levels are decided in order: the head cannot approve before the team lead.
          await expect(act(h).approve('head-support')).rejects.toMatchObject(
            refusedWith(/head-support is not the current approver \(tl-support\) or their delegate/),
          );
        }
        for (const [i, [, approver]] of expected.entries()) {
          const after = await act(h).approve(approver, `ok ${i}`);
          expect(after.levels[i]).toMatchObject({ decision: 'approved', decidedBy: approver });
        }
      });
      expect(result).toMatchObject({ requestId: input.requestId, status: 'APPROVED', decidedBy: expected.at(-1)![1] });
      expect(trail(result!.audit)).toEqual([
        ['submitted', 'req-ann', undefined],
        ...expected.map(([, approver], i) => ['approved', approver, i]),
      ]);
      expect(result!.audit.at(-1)?.comment).toBe(`ok ${expected.length - 1}`);
      // Each approver is asked when their level becomes current, the requester told at the end.
      expect(sent(m.notes, 'decide')).toEqual(expected.map(([, approver]) => approver));
      expect(m.notes[0]?.notificationId).toBe(`${input.requestId}:L0:decide:tl-support:1`);
      expect(m.notes.at(-1)).toMatchObject({ kind: 'outcome', to: 'req-ann', requestId: input.requestId });
      expect(state?.status).toBe('APPROVED');
      expect(state?.currentLevel).toBeUndefined();
      // No budget: no budget calls; the decision is recorded once, at the end.
      expect(m.calls.filter((c) => c !== 'notify')).toEqual(['recordDecision']);
    },
  );

  it('refuses an unauthorised approver without leaving a trace in history', async () => {
    const m = mocks();
    const { result, handle } = await run(m, aRequest(), async (h) => {
      await until(h, () => m.notes.length === 1);
      const seen = await settled(h);
      const before = await h.query(approvalStateQuery);
      await expect(act(h).approve('mallory')).rejects.toMatchObject(
        refusedWith(/^mallory is not the current approver \(tl-support\) or their delegate$/),
      );
      await expect(h.executeUpdate(approveUpdate, { args: [{ by: 'no spaces allowed' }] })).rejects.toMatchObject(
        refusedWith(/invalid approve: by: must be 1-64/),
      );
      await expect(act(h).reject('mallory', 'no')).rejects.toMatchObject(refusedWith(/mallory is not the current/));
      // The time-skipping server records the workflow tasks that ran the validators (a real server
      // drops them too); no update, no command, and the state is untouched.
      const added = ((await h.fetchHistory()).events ?? []).slice(seen);
      expect(added.filter((e) => !workflowTaskEvent(e))).toEqual([]);
      expect(await h.query(approvalStateQuery)).toEqual(before);
      await act(h).approve('tl-support');
    });
    const history = (await handle.fetchHistory()).events ?? [];
    expect(history.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
    expect(result).toMatchObject({ status: 'APPROVED', decidedBy: 'tl-support' });
    expect(trail(result!.audit).map(([what, who]) => `${what}:${who}`)).toEqual([
      'submitted:req-ann',
      'approved:tl-support',
    ]);
  });

  it('lets exactly one of an approve and a reject sent at once win', async () => {
    const m = mocks();
    let outcomes: PromiseSettledResult<ApprovalState>[] = [];
    const { result } = await run(m, aRequest(), async (h) => {
      outcomes = await Promise.allSettled([act(h).approve('tl-support'), act(h).reject('tl-support', 'too dear')]);
    });
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o) => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = outcomes[0]!.status === 'fulfilled' ? 'APPROVED' : 'REJECTED';
    expect(result?.status).toBe(winner);
    expect((won[0] as PromiseFulfilledResult<ApprovalState>).value.status).toBe(winner);
    expect((lost[0] as PromiseRejectedResult).reason).toMatchObject(refusedWith(new RegExp(`request is ${winner}`)));
    expect(result!.audit.filter((e) => e.what === 'approved' || e.what === 'rejected')).toHaveLength(1);
  });

  it('a rejection ends the saga REJECTED with its reason, not COMPENSATED, and releases the holds', async () => {
    const m = mocks();
    const { result, error, saga, sagaStatus } = await run(m, aRequest(twoBudgets), async (h) => {
      await act(h).reject('tl-support', 'too dear');
    });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ status: 'REJECTED', decidedBy: 'tl-support', reason: 'too dear' });
    expect(compensationsIn(m.calls)).toEqual(['releaseBudget', 'releaseBudget']);
    // The search attribute names the outcome, so the UI and `saga list --status REJECTED` find it.
    expect(saga?.status).toBe('REJECTED');
    expect(sagaStatus).toBe('REJECTED');
    expect(saga?.aborted).toEqual({ reason: 'request REJECTED: too dear', type: 'RequestRejected' });
    // Nothing failed: no step is named as the cause ("failed at unknown" before).
    expect(saga?.failure).toBeUndefined();
    expect(saga?.steps.find((s) => s.name === 'hold-budget:support')?.status).toBe('compensated');
  });

  it('lets the delegate decide, but nobody else, and not delegate further', async () => {
    const m = mocks();
    const { result } = await run(m, aRequest(), async (h) => {
      const state = await act(h).delegate('tl-support', 'dee');
      expect(state).toMatchObject({ currentApprover: 'tl-support', currentDelegate: 'dee' });
      await expect(act(h).approve('eve')).rejects.toMatchObject(
        refusedWith(/eve is not the current approver \(tl-support\) or their delegate/),
      );
      await expect(act(h).delegate('dee', 'fred')).rejects.toMatchObject(
        refusedWith(/only the current approver \(tl-support\) may delegate/),
      );
      await expect(act(h).delegate('tl-support', 'tl-support')).rejects.toMatchObject(
        refusedWith(/to: must delegate to someone else/),
      );
      await act(h).approve('dee', 'fine by me');
    });
    expect(result).toMatchObject({ status: 'APPROVED', decidedBy: 'dee' });
    expect(trail(result!.audit)).toEqual([
      ['submitted', 'req-ann', undefined],
      ['delegated', 'tl-support', 0],
      ['approved', 'dee', 0],
    ]);
    expect(sent(m.notes, 'decide')).toEqual(['tl-support', 'dee']);
  });

  it('reminds at half the SLA, escalates when it runs out, and the new approver decides', async () => {
    const m = mocks();
    const { result } = await run(m, aRequest(), async (h) => {
      await act(h).delegate('tl-support', 'dee');
      await ts.env.sleep('25 hours');
      const reminded = await until(h, (s) => s.audit.some((e) => e.what === 'reminded'));
      expect(reminded).toMatchObject({ currentApprover: 'tl-support', currentDelegate: 'dee' });
      await until(h, () => sent(m.notes, 'reminder').length === 2);
      expect(sent(m.notes, 'reminder')).toEqual(['tl-support', 'dee']);
      expect(reminded.audit.at(-1)).toMatchObject({ what: 'reminded', who: 'system', level: 0 });

      await ts.env.sleep('24 hours');
      const escalated = await until(h, (s) => s.currentApprover === 'tl-support-deputy');
      expect(escalated.currentDelegate).toBeUndefined(); // the old approver's delegate goes with them
      expect(escalated.levels[0]).toMatchObject({ approver: 'tl-support-deputy' });
      expect(escalated.audit.at(-1)).toMatchObject({ what: 'escalated', who: 'system', level: 0 });
      await until(h, () => sent(m.notes, 'escalated').length === 1);
      expect(sent(m.notes, 'escalated')).toEqual(['tl-support-deputy']);

      await expect(act(h).approve('tl-support')).rejects.toMatchObject(refusedWith(/not the current approver/));
      await expect(act(h).approve('dee')).rejects.toMatchObject(refusedWith(/not the current approver/));
      await act(h).approve('tl-support-deputy');
    });
    expect(result).toMatchObject({ status: 'APPROVED', decidedBy: 'tl-support-deputy' });
    expect(result!.audit.map((e) => e.what)).toEqual(['submitted', 'delegated', 'reminded', 'escalated', 'approved']);
    const submitted = Date.parse(result!.audit[0]!.at);
    const escalatedAt = Date.parse(result!.audit[3]!.at);
    expect(escalatedAt - submitted).toBeGreaterThanOrEqual(2 * DAY);
    expect(escalatedAt - submitted).toBeLessThan(2 * DAY + 60_000);
  });

  it('expires past the deadline when nobody acts and releases every hold', async () => {
    const m = mocks();
    const input = aRequest({ ...twoBudgets, deadlineMs: 5 * DAY });
    const { result, state, saga, sagaStatus } = await run(m, input);
    expect(result).toMatchObject({ status: 'EXPIRED', decidedBy: 'system', reason: 'deadline passed' });
    expect([saga?.status, sagaStatus]).toEqual(['EXPIRED', 'EXPIRED']);
    // The commits never ran: the finished timeline holds only the holds, both released.
    expect(saga?.steps.map((s) => [s.name, s.status])).toEqual([
      ['hold-budget:support', 'compensated'],
      ['hold-budget:sales', 'compensated'],
    ]);
    expect(result!.audit.at(-1)).toMatchObject({ what: 'expired', who: 'system', comment: 'deadline passed' });
    const took = Date.parse(result!.audit.at(-1)!.at) - Date.parse(result!.audit[0]!.at);
    expect(took).toBeGreaterThanOrEqual(5 * DAY - 1000);
    expect(took).toBeLessThan(5 * DAY + 60_000);
    expect(result!.audit.map((e) => e.what)).toContain('escalated');
    expect(state?.status).toBe('EXPIRED');
    const id = `approval:${input.requestId}`;
    expect(m.budget).toEqual([
      { name: 'holdBudget', holdId: `${id}:support`, idempotencyKey: `${id}:hold-budget:support` },
      { name: 'holdBudget', holdId: `${id}:sales`, idempotencyKey: `${id}:hold-budget:sales` },
      { name: 'releaseBudget', holdId: `${id}:sales`, idempotencyKey: `${id}:hold-budget:sales:undo` },
      { name: 'releaseBudget', holdId: `${id}:support`, idempotencyKey: `${id}:hold-budget:support:undo` },
    ]);
    expect(m.calls).not.toContain('commitBudget');
    expect(m.notes.at(-1)).toMatchObject({ kind: 'outcome', to: 'req-ann' });
    expect(m.notes.at(-1)?.message).toContain('deadline passed');
  });

  it('withdraws for the requester only, and releases the holds', async () => {
    const m = mocks();
    const { result, saga, sagaStatus } = await run(m, aRequest(twoBudgets), async (h) => {
      await expect(act(h).withdraw('tl-support')).rejects.toMatchObject(
        refusedWith(/only the requester \(req-ann\) may withdraw/),
      );
      const state = await act(h).withdraw('req-ann', 'bought elsewhere');
      expect(state.status).toBe('WITHDRAWN');
      expect(state.currentApprover).toBeUndefined();
    });
    expect(result).toMatchObject({ status: 'WITHDRAWN', decidedBy: 'req-ann', reason: 'bought elsewhere' });
    expect([saga?.status, sagaStatus]).toEqual(['WITHDRAWN', 'WITHDRAWN']);
    expect(trail(result!.audit).at(-1)).toEqual(['withdrawn', 'req-ann', 0]);
    expect(compensationsIn(m.calls)).toEqual(['releaseBudget', 'releaseBudget']);
    expect(m.calls).not.toContain('commitBudget');
  });

  it('holds budget in each department at submission and commits both on approval', async () => {
    const m = mocks();
    const input = aRequest(twoBudgets);
    const { result } = await run(m, input, async (h) => {
      await until(h, () => m.calls.filter((c) => c === 'holdBudget').length === 2);
      expect(m.calls).not.toContain('commitBudget');
      await act(h).approve('tl-support');
    });
    expect(result).toMatchObject({ status: 'APPROVED' });
    const id = `approval:${input.requestId}`;
    expect(m.budget.map((b) => [b.name, b.holdId, b.idempotencyKey])).toEqual([
      ['holdBudget', `${id}:support`, `${id}:hold-budget:support`],
      ['holdBudget', `${id}:sales`, `${id}:hold-budget:sales`],
      ['commitBudget', `${id}:support`, `${id}:commit-budget:support`],
      ['commitBudget', `${id}:sales`, `${id}:commit-budget:sales`],
    ]);
    expect(m.calls).not.toContain('releaseBudget');
  });

  it('rejects the request when a department refuses its hold, and releases the other hold', async () => {
    const m = mocks({
      holdBudget: async (i: { department: string; holdId: string }) => {
        if (i.department === 'sales')
          throw ApplicationFailure.nonRetryable('sales has 100.00 left', 'InsufficientBudget');
        return { holdId: i.holdId, status: 'HELD' };
      },
    });
    const input = aRequest(twoBudgets);
    const { result, state, saga, sagaStatus } = await run(m, input);
    expect(result).toMatchObject({ status: 'REJECTED', decidedBy: 'system' });
    expect(result?.reason).toBe('InsufficientBudget: sales has 100.00 left');
    expect(trail(result!.audit)).toEqual([
      ['submitted', 'req-ann', undefined],
      ['rejected', 'system', 0],
    ]);
    expect(m.calls.filter((c) => c !== 'notify')).toEqual([
      'holdBudget',
      'holdBudget',
      'releaseBudget',
      'recordDecision',
    ]);
    expect(m.budget).toEqual([
      expect.objectContaining({ name: 'releaseBudget', holdId: `approval:${input.requestId}:support` }),
    ]);
    // Nobody was asked to decide on a request that never got its budget; the requester is told why.
    expect(m.notes.map((n) => [n.kind, n.to])).toEqual([['outcome', 'req-ann']]);
    expect(state?.status).toBe('REJECTED');
    expect([saga?.status, sagaStatus]).toEqual(['REJECTED', 'REJECTED']);
    expect(saga?.aborted?.reason).toBe('sales refused the hold: InsufficientBudget: sales has 100.00 left');
  });

  it('records comments of the requester and approvers, and refuses strangers', async () => {
    const m = mocks();
    const { result } = await run(m, aRequest({ amountCents: 500_000 }), async (h) => {
      const state = await act(h).comment('req-ann', 'needed by Friday');
      expect(state.audit.at(-1)).toMatchObject({ what: 'commented', who: 'req-ann', comment: 'needed by Friday' });
      await expect(act(h).comment('eve', 'hi')).rejects.toMatchObject(refusedWith(/eve is neither the requester/));
      // The head is not an approver yet: level 1 is not current.
      await expect(act(h).comment('head-support', 'hm')).rejects.toMatchObject(refusedWith(/neither the requester/));
      await expect(act(h).comment('req-ann', '')).rejects.toMatchObject(refusedWith(/text: must not be empty/));
      await act(h).approve('tl-support');
      await act(h).comment('tl-support', 'passed on to the head'); // was an approver
      await act(h).approve('head-support');
    });
    expect(result?.status).toBe('APPROVED');
    expect(trail(result!.audit)).toEqual([
      ['submitted', 'req-ann', undefined],
      ['commented', 'req-ann', 0],
      ['approved', 'tl-support', 0],
      ['commented', 'tl-support', 1],
      ['approved', 'head-support', 1],
    ]);
  });

  it.each([
    ['a zero amount', { amountCents: 0 }, /amountCents: must be at least 1 cent/],
    ['a department nobody approves for', { department: 'legal' }, /no team-lead configured for department legal/],
  ])('fails with InvalidInput on %s and does nothing', async (_, over, message) => {
    const m = mocks();
    const { error, state } = await run(m, aRequest(over));
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(failure.type).toBe('InvalidInput');
    expect(failure.message).toMatch(message);
    expect(m.calls).toEqual([]);
    expect(state).toBeUndefined();
  });
});
