import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { approvalState, startApproval, startPayment } from '../../client';
import { defaultRouting } from '../../contracts/approval';
import { freePort } from '../../provision/process';
import { projectRoot } from '../../provision/tools';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { useStack } from '../support/fixtures';
import { runEntry } from '../support/run';
import { inventoryInStocktake } from '../support/services';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const taskQueue = uniqueTaskQueue('int-cli');
const scratch = mkdtempSync(join(tmpdir(), 'saga-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const saga = (...args: string[]) =>
  runEntry(
    'apps/cli/index.ts',
    { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: taskQueue },
    args,
  );

describe('saga CLI', () => {
  it('shows a saga’s timeline, finds it by status, flow and order, and replays its history', async () => {
    await db.stock('CLI-a', 10);
    await db.stock('CLI-b', 10);
    // A worker answers the status query (it replays the run); replay itself needs none.
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      await (await startPayment(stack.client, anOrder('cli-1', ['CLI-a', 'CLI-b']), { taskQueue })).result();
      const status = await saga('status', 'payment:cli-1');
      expect(status.code).toBe(0);
      expect(status.stdout).toContain('payment:cli-1  paymentSaga  COMPLETED');
      expect(status.stdout).toMatch(/✓ charge-card\s+done/);
    });

    await expect
      .poll(
        async () => (await saga('list', '--flow', 'paymentSaga', '--status', 'COMPLETED', '--order', 'cli-1')).stdout,
        {
          timeout: 20_000,
          interval: 500,
        },
      )
      .toContain('payment:cli-1  paymentSaga  COMPLETED  cli-1  COMPLETED');

    const replay = await saga('replay', 'payment:cli-1');
    expect(replay.code).toBe(0);
    expect(replay.stdout.trim()).toMatch(
      /^replay ok: paymentSaga payment:cli-1 \(\d+ events\) replays against the current code$/,
    );
  });

  it('reports a history the current code cannot replay with the event, the workflow type and what differed', async () => {
    const history = JSON.parse(readFileSync(join(projectRoot, 'test/histories/payment-saga-success.json'), 'utf8'));
    const scheduled = history.events.filter((e: any) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    scheduled[3].activityTaskScheduledEventAttributes.activityType.name = 'lockCoupon'; // the 4th call was chargeCard
    const file = join(scratch, 'doctored.json');
    writeFileSync(file, JSON.stringify(history));
    const replay = await saga('replay', '--file', file);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toContain(
      `replay FAILED: paymentSaga ${file}: non-deterministic at event ${scheduled[3].eventId}:`,
    );
    expect(replay.stdout).toContain("'lockCoupon' does not match activity type of activity command 'chargeCard'");
  });

  it('ends a replay whose first activity was renamed or re-keyed with the event, not a hang', async () => {
    for (const doctor of [
      (a: any) => (a.activityType.name = 'lockCoupon'),
      (a: any) => (a.activityId = 'renamed-id'),
    ]) {
      const history = JSON.parse(readFileSync(join(projectRoot, 'test/histories/payment-saga-success.json'), 'utf8'));
      const first = history.events.find((e: any) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
      doctor(first.activityTaskScheduledEventAttributes);
      const file = join(scratch, 'first-renamed.json');
      writeFileSync(file, JSON.stringify(history));
      const replay = await saga('replay', '--file', file);
      expect(replay.code).toBe(1);
      expect(replay.stdout).toMatch(
        new RegExp(`^replay FAILED: paymentSaga ${file}: non-deterministic at event \\d+:`),
      );
    }
  });

  it('refuses a replay of a missing, non-JSON or empty file with exit 2 in one line, and an unknown id with exit 1', async () => {
    const notJson = join(scratch, 'not.json');
    writeFileSync(notJson, 'hello');
    const empty = join(scratch, 'empty.json');
    writeFileSync(empty, '{"events":[]}');
    for (const [file, why] of [
      [join(scratch, 'missing.json'), /^invalid history: file: cannot be read: no such file/],
      [notJson, /^invalid history: file: must be JSON/],
      [empty, /^invalid history: events: must list events/],
    ] as const) {
      const r = await saga('replay', '--file', file);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(why);
    }
    const unknown = await saga('replay', 'payment:unknown');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('no workflow payment:unknown');
  });

  it('approves as the approver, refuses anyone else, and rejects bad usage with exit 2', async () => {
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      await startApproval(
        stack.client,
        {
          requestId: 'cli-req',
          kind: 'purchase',
          requester: 'dev-1',
          department: 'support',
          amountCents: 50_000,
          currency: 'EUR',
          description: 'a chair',
          slaPerLevelMs: 3_600_000,
          deadlineMs: 86_400_000,
          routing: defaultRouting,
        },
        { taskQueue },
      );
      const refused = await saga('approve', 'cli-req', '--by', 'somebody');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('somebody');
      const approved = await saga('approve', 'cli-req', '--by', 'tl-support');
      expect(approved.code).toBe(0);
      expect(approved.stdout).toContain('cli-req: APPROVED');

      // The other actions the client and the API have: delegate, comment, withdraw; and cancel.
      await startApproval(
        stack.client,
        {
          requestId: 'cli-req-2',
          kind: 'purchase',
          requester: 'dev-1',
          department: 'support',
          amountCents: 50_000,
          currency: 'EUR',
          description: 'a desk',
          slaPerLevelMs: 3_600_000,
          deadlineMs: 86_400_000,
          routing: defaultRouting,
        },
        { taskQueue },
      );
      expect((await saga('delegate', 'cli-req-2', '--by', 'tl-support')).code).toBe(2); // --to is required
      const delegated = await saga('delegate', 'cli-req-2', '--by', 'tl-support', '--to', 'deputy-1');
      expect(delegated.code).toBe(0);
      expect((await approvalState(stack.client, 'cli-req-2')).currentDelegate).toBe('deputy-1');
      expect((await saga('comment', 'cli-req-2', '--by', 'dev-1', '--text', 'urgent')).code).toBe(0);
      expect((await saga('withdraw', 'cli-req-2', '--by', 'dev-1', '--reason', 'bought one')).stdout.trim()).toBe(
        'cli-req-2: WITHDRAWN',
      );
      // Each closed request's decision is recorded once, with its approval.decided event in the same transaction.
      for (const id of ['cli-req', 'cli-req-2']) await stack.client.workflow.getHandle(`approval:${id}`).result();
      const decisions = await stack.services.pool.query(
        `SELECT d.request_id AS "requestId", d.status, d.decided_by AS "decidedBy", e.event->>'type' AS type
         FROM approvals.decisions d JOIN approvals.events_outbox e ON e.event->>'aggregateId' = d.request_id
         WHERE d.request_id LIKE 'cli-req%' ORDER BY d.request_id`,
      );
      expect(decisions.rows).toEqual([
        { requestId: 'cli-req', status: 'APPROVED', decidedBy: 'tl-support', type: 'approval.decided' },
        { requestId: 'cli-req-2', status: 'WITHDRAWN', decidedBy: 'dev-1', type: 'approval.decided' },
      ]);
      const state = await approvalState(stack.client, 'cli-req-2');
      expect(state.audit.map((a) => [a.what, a.who])).toEqual(
        expect.arrayContaining([
          ['delegated', 'tl-support'],
          ['commented', 'dev-1'],
          ['withdrawn', 'dev-1'],
        ]),
      );
    });

    const idle = uniqueTaskQueue('int-cli-cancel');
    await startPayment(stack.client, anOrder('cli-cancel', ['CLI-C-a', 'CLI-C-b']), { taskQueue: idle });
    const cancelled = await saga('cancel', 'payment:cli-cancel');
    expect(cancelled.stdout.trim()).toBe('asked payment:cli-cancel to cancel');
    const history = await stack.client.workflow.getHandle('payment:cli-cancel').fetchHistory();
    expect(history.events?.some((e) => e.workflowExecutionCancelRequestedEventAttributes)).toBe(true);
    await stack.client.workflow.getHandle('payment:cli-cancel').terminate('test over');
    expect((await saga('cancel', 'payment:cli-cancel')).stderr.trim()).toMatch(
      /^payment:cli-cancel is closed: it TERMINATED/,
    );
    expect((await saga('cancel', 'payment:nobody')).stderr.trim()).toBe('no workflow payment:nobody');
    expect((await saga('list', '--status', 'BOGUS')).code).toBe(2);
    const nobody = await saga('status', 'payment:nobody');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr.trim()).toBe('no workflow payment:nobody');
    expect((await saga('retry', 'payment:nobody', '--by', 'ops')).stderr.trim()).toBe('no workflow payment:nobody');
  });

  it('says in one line, without a stack trace, that the server or a worker did not answer', async () => {
    // No worker polls this queue: the status query runs into its deadline (DEADLINE_EXCEEDED).
    const idle = uniqueTaskQueue('int-cli-idle');
    await startPayment(stack.client, anOrder('cli-idle', ['CLI-IDLE-a', 'CLI-IDLE-b']), { taskQueue: idle });
    const late = await saga('status', 'payment:cli-idle');
    expect(late.code).toBe(1);
    expect(late.stderr.trim().split('\n')).toHaveLength(1);
    expect(late.stderr).toMatch(/^no worker answered for payment:cli-idle within 10 s: is a worker running/);
    await stack.client.workflow.getHandle('payment:cli-idle').terminate('test over');

    const env = { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`, TEMPORAL_TASK_QUEUE: taskQueue };
    const down = await runEntry('apps/cli/index.ts', env, ['list']);
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/^Temporal server: .*is it running at TEMPORAL_ADDRESS\?/);

    const setup = await runEntry(
      'temporal-config/cluster-setup.ts',
      { ...process.env, TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: 'no-such-namespace' },
      [],
    );
    expect(setup.code).toBe(1);
    expect(setup.stderr.trim().split('\n')).toHaveLength(1);
    expect(setup.stderr).toMatch(/^Temporal server: NOT_FOUND .*no-such-namespace/);
  });

  it('retries a saga stuck in NEEDS_ATTENTION once the service is back: the stock is released', async () => {
    // The inventory behind a proxy that refuses every release while it is "in stocktake".
    let stocktake = true;
    const proxy = await inventoryInStocktake(
      (n) => stack.url(n),
      stack.client,
      (path) => stocktake && path.endsWith('/release'),
    );
    try {
      await db.stock('CLI-NA-a', 10);
      await db.stock('CLI-NA-b', 10);
      const input = anOrder('cli-na', ['CLI-NA-a', 'CLI-NA-b'], { paymentMethod: testPaymentMethods.declined });
      const { activities } = proxy;
      await withWorker({ connection: stack.nativeConnection, taskQueue, activities }, async () => {
        const handle = await startPayment(stack.client, input, {
          taskQueue,
          sagaOptions: { attemptsBeforeAttention: 2, backoff: { initial: '200 ms', max: '1 second' } },
        });
        await expect
          .poll(async () => (await saga('list', '--status', 'NEEDS_ATTENTION', '--order', 'cli-na')).stdout, {
            timeout: 30_000,
            interval: 500,
          })
          .toContain('payment:cli-na');
        const status = await saga('status', 'payment:cli-na');
        expect(status.stdout).toContain('NEEDS_ATTENTION');
        expect(status.stdout).toContain('Stocktake');
        expect(await db.stockOf('CLI-NA-a')).toEqual({ available: 8, reserved: 2, sold: 0 }); // still held
        expect((await saga('skip', 'payment:cli-na', '--by', 'ops')).code).toBe(2); // a skip needs --reason

        stocktake = false;
        const retried = await saga('retry', 'payment:cli-na', '--by', 'ops');
        expect(retried.code).toBe(0);
        await expect(handle.result()).rejects.toThrow();
        // Closed now: the engine answers "not found" to an update, the CLI says how the run ended.
        const closed = await saga('retry', 'payment:cli-na', '--by', 'ops');
        expect(closed.code).toBe(1);
        expect(closed.stderr.trim()).toMatch(/^payment:cli-na is closed: it FAILED \(COMPENSATED\) at \d{4}-\S+$/);
        const skipped = await saga('skip', 'payment:cli-na', '--by', 'ops', '--reason', 'late');
        expect(skipped.stderr.trim()).toMatch(/^payment:cli-na is closed: it FAILED/);
      });
      expect(await db.stockOf('CLI-NA-a')).toEqual({ available: 10, reserved: 0, sold: 0 });
      expect(await db.stockOf('CLI-NA-b')).toEqual({ available: 10, reserved: 0, sold: 0 });
      expect((await db.orderOf('cli-na')).status).toBe('CANCELLED');
    } finally {
      await proxy.close();
    }
  });
});
