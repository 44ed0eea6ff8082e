import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { approvalActions, approvalState, refundState, startPayment, startRefund } from '../../client';
import { createLogger } from '../../config/logger';
import { OutboxRelay } from '../../apps/relay/outbox-relay';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { sagaStateQuery } from '../../workflows';
import { dynamicConfigPath } from '../../temporal-config/dynamic-config';
import { temporalServerPath } from '../../provision/tools';
import { useProductionStack } from '../support/fixtures';
import { testPolicy } from '../support/policy';
import { startWorkerProcess } from '../support/run';
import { http } from '../support/services';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

/**
 * The flows on the production Temporal server (`temporal-server` v1.32 on PostgreSQL, from
 * provision/temporal-server.sh), not the dev server: the same code, the same invariants.
 */
const stack = useProductionStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const worker = <T>(taskQueue: string, fn: () => Promise<T>, policy = testPolicy) =>
  withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities, policy }, fn);

describe('on the production Temporal server on PostgreSQL', () => {
  it('the server accepts the shared dynamic config file, every key known to it', async () => {
    const { stdout } = await promisify(execFile)(temporalServerPath(), ['validate-dynamic-config', dynamicConfigPath]);
    expect(stdout).toContain('dynamic-config.yaml');
    expect(stdout).not.toMatch(/warning|error/i); // an unknown key is an 'unregistered key' warning
  });

  it('a payment saga completes; a declined card compensates and leaves stock as it was', async () => {
    await db.stock('PR-1a', 10);
    await db.stock('PR-1b', 10);
    const taskQueue = uniqueTaskQueue('prod-payment');
    const { paid, declined } = await worker(taskQueue, async () => {
      const paid = await (
        await startPayment(stack.client, anOrder('pr-1', ['PR-1a', 'PR-1b']), { taskQueue })
      ).result();
      const handle = await startPayment(
        stack.client,
        anOrder('pr-2', ['PR-1a', 'PR-1b'], { paymentMethod: testPaymentMethods.declined }),
        { taskQueue },
      );
      await handle.result().catch(() => undefined);
      return { paid, declined: await handle.query(sagaStateQuery) };
    });
    expect(paid).toMatchObject({ status: 'PAID', amountCents: 5000 });
    expect(declined.status).toBe('COMPENSATED');
    expect(await db.stockOf('PR-1a')).toEqual({ available: 8, reserved: 0, sold: 2 }); // pr-1 only
    expect(await db.stockOf('PR-1b')).toEqual({ available: 9, reserved: 0, sold: 1 });
    expect(await db.chargesOf('pr-1')).toEqual([{ chargeId: 'charge:pr-1', amountCents: 5000, status: 'CAPTURED' }]);
    expect(await db.chargesOf('pr-2')).toEqual([{ chargeId: 'charge:pr-2', amountCents: 5000, status: 'FAILED' }]);
    expect(await db.orderOf('pr-2')).toMatchObject({ status: 'CANCELLED' });
  });

  it('the outbox relay starts the saga of an order written through the order service', async () => {
    await db.stock('PR-3a', 10);
    await db.stock('PR-3b', 10);
    const taskQueue = uniqueTaskQueue('prod-outbox');
    const input = anOrder('pr-3', ['PR-3a', 'PR-3b']);
    expect(
      (await http('POST', `${stack.url('order')}/orders`, input, { 'idempotency-key': 'create:pr-3' })).status,
    ).toBe(201);
    await worker(taskQueue, async () => {
      const relay = new OutboxRelay({
        pool: stack.services.pool,
        databaseUrl: stack.databaseUrl,
        client: stack.client,
        start: { taskQueue },
        logger: createLogger('test-relay', 'silent'),
      });
      await relay.start();
      try {
        await expect
          .poll(
            () =>
              stack.client.workflow
                .getHandle('payment:pr-3')
                .describe()
                .then(
                  () => true,
                  () => false,
                ),
            {
              timeout: 20_000,
            },
          )
          .toBe(true);
        await stack.client.workflow.getHandle('payment:pr-3').result();
      } finally {
        await relay.stop();
      }
    });
    expect(await db.orderOf('pr-3')).toMatchObject({ status: 'PAID' });
    expect(await db.chargesOf('pr-3')).toHaveLength(1);
  });

  it('a refund above the threshold waits for approval, is approved and refunds; its history replays', async () => {
    await db.stock('PR-4a', 10);
    await db.stock('PR-4b', 10);
    const taskQueue = uniqueTaskQueue('prod-refund');
    const policy = { ...testPolicy, refund: { ...testPolicy.refund, approvalThresholdCents: 1000 } };
    await worker(
      taskQueue,
      async () => {
        await (await startPayment(stack.client, anOrder('pr-4', ['PR-4a', 'PR-4b']), { taskQueue })).result();
        await startRefund(
          stack.client,
          {
            refundId: 'pr-4-r',
            orderId: 'pr-4',
            amountCents: 2000,
            items: [{ sku: 'PR-4b', quantity: 1 }],
            reason: 'came back',
            requestedBy: 'agent-7',
          },
          { taskQueue },
        );
        await expect
          .poll(() => approvalState(stack.client, 'refund:pr-4-r').catch(() => undefined), { timeout: 20_000 })
          .toMatchObject({ status: 'PENDING', currentApprover: 'tl-support' });
        await approvalActions.approve(stack.client, 'refund:pr-4-r', { by: 'tl-support' });
        await expect
          .poll(async () => (await refundState(stack.client, 'pr-4-r')).status, { timeout: 20_000 })
          .toBe('COMPLETED');
      },
      policy,
    );
    expect((await refundState(stack.client, 'pr-4-r')).result).toMatchObject({ status: 'REFUNDED' });
    expect(await db.stockOf('PR-4b')).toEqual({ available: 10, reserved: 0, sold: 0 });
    expect(await db.orderOf('pr-4')).toMatchObject({ status: 'PARTIALLY_REFUNDED' });

    // Each history this server keeps replays against the current workflow code.
    for (const workflowId of ['payment:pr-4', 'refund:pr-4-r', 'approval:refund:pr-4-r']) {
      const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
      expect(history.events?.length ?? 0).toBeGreaterThan(5);
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') } },
        history,
        workflowId,
      );
    }
  });

  it('two worker processes share the task queue; SIGKILL of the one charging leaves the other to finish: one charge', async () => {
    await db.stock('PR-5a', 10);
    await db.stock('PR-5b', 10);
    const taskQueue = uniqueTaskQueue('prod-two-workers');
    const workers = [0, 1].map(() =>
      startWorkerProcess({ temporalAddress: stack.address, taskQueue, url: (n) => stack.url(n) }),
    );
    try {
      // The slow card keeps the charge in flight for 3 s; the worker that runs it dies meanwhile.
      const handle = await startPayment(
        stack.client,
        anOrder('pr-5', ['PR-5a', 'PR-5b'], { paymentMethod: testPaymentMethods.slow }),
        { taskQueue },
      );
      const charging = async () => {
        const { raw } = await handle.describe();
        const pending = (raw.pendingActivities ?? []).find((a) => a.activityType?.name === 'chargeCard');
        return pending?.lastWorkerIdentity ?? undefined;
      };
      await expect.poll(charging, { timeout: 60_000, interval: 100 }).toMatch(/^\d+@/);
      const pid = Number((await charging())!.split('@')[0]);
      const victim = workers.find((w) => w.pid === pid);
      expect(victim, `the charging worker ${pid} is one of ours`).toBeDefined();
      const killed = new Promise((resolve) => victim!.once('exit', resolve));
      process.kill(-victim!.pid!, 'SIGKILL');
      await killed;

      expect((await handle.result()).status).toBe('PAID');
    } finally {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) process.kill(-w.pid!, 'SIGTERM');
    }
    expect(await db.chargesOf('pr-5')).toEqual([{ chargeId: 'charge:pr-5', amountCents: 5000, status: 'CAPTURED' }]);
    expect(await db.stockOf('PR-5a')).toEqual({ available: 8, reserved: 0, sold: 2 });
    expect(await db.stockOf('PR-5b')).toEqual({ available: 9, reserved: 0, sold: 1 });
    expect(await db.orderOf('pr-5')).toMatchObject({ status: 'PAID' });
  });
});
