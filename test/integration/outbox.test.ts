import { describe, expect, it } from 'vitest';
import type { PaymentSagaInput } from '../../contracts/payment';
import { createLogger } from '../../config/logger';
import { OutboxRelay } from '../../apps/relay/outbox-relay';
import { useStack } from '../support/fixtures';
import { http } from '../support/services';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const silent = createLogger('test-relay', 'silent');

const relay = (taskQueue: string, extra: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}) =>
  new OutboxRelay({
    pool: stack.services.pool,
    databaseUrl: stack.databaseUrl,
    client: stack.client,
    start: { taskQueue },
    logger: silent,
    ...extra,
  });
const createOrder = (input: PaymentSagaInput) =>
  http('POST', `${stack.url('order')}/orders`, input, { 'idempotency-key': `create:${input.orderId}` });
const outboxOf = async (orderId: string) =>
  (
    await stack.services.pool.query(
      `SELECT id::text AS id, delivered_at IS NOT NULL AS delivered, attempts FROM "order".outbox WHERE aggregate_id = $1`,
      [orderId],
    )
  ).rows as { id: string; delivered: boolean; attempts: number }[];
const executions = async (workflowId: string) => {
  let n = 0;
  for await (const _ of stack.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) n++;
  return n;
};

describe('transactional outbox', () => {
  it('an order is written with its outbox row, and the relay starts its saga, which completes', async () => {
    await db.stock('OB-1a', 10);
    await db.stock('OB-1b', 10);
    const input = anOrder('ob-1', ['OB-1a', 'OB-1b']);
    expect((await createOrder(input)).status).toBe(201);
    expect(await db.orderOf('ob-1')).toMatchObject({ status: 'PENDING' });
    expect(await outboxOf('ob-1')).toMatchObject([{ delivered: false }]);

    const taskQueue = uniqueTaskQueue('int-outbox');
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      const r = relay(taskQueue, { pollIntervalMs: 60_000 }); // only NOTIFY can wake it in time
      await r.start();
      try {
        await expect.poll(() => outboxOf('ob-1'), { timeout: 15_000 }).toMatchObject([{ delivered: true }]);
        // An order created while the relay waits is delivered on its NOTIFY, long before the next poll.
        await db.stock('OB-2a', 10);
        await db.stock('OB-2b', 10);
        await createOrder(anOrder('ob-2', ['OB-2a', 'OB-2b']));
        await expect.poll(() => outboxOf('ob-2'), { timeout: 15_000 }).toMatchObject([{ delivered: true }]);
        await stack.client.workflow.getHandle('payment:ob-1').result();
        await stack.client.workflow.getHandle('payment:ob-2').result();
      } finally {
        await r.stop();
      }
    });
    expect(await db.orderOf('ob-1')).toMatchObject({ status: 'PAID' });
    expect(await db.chargesOf('ob-1')).toHaveLength(1);
  });

  it('a relay that crashes between start and mark leads to a harmless redelivery: one workflow', async () => {
    await createOrder(anOrder('ob-3', ['OB-3a', 'OB-3b']));
    const taskQueue = uniqueTaskQueue('int-outbox-idle'); // no worker: the saga only needs to exist
    const crashing = relay(taskQueue, {
      afterStart: async () => {
        throw new Error('relay process died here');
      },
    });
    await expect(crashing.deliverBatch()).rejects.toThrow(/died/);
    expect(await outboxOf('ob-3')).toMatchObject([{ delivered: false }]);
    const first = await stack.client.workflow.getHandle('payment:ob-3').describe();

    expect(await relay(taskQueue).deliverBatch()).toContain((await outboxOf('ob-3'))[0]!.id);
    expect(await outboxOf('ob-3')).toMatchObject([{ delivered: true }]);
    expect((await stack.client.workflow.getHandle('payment:ob-3').describe()).runId).toBe(first.runId);
    await expect.poll(() => executions('payment:ob-3'), { timeout: 10_000 }).toBe(1);
    await stack.client.workflow.getHandle('payment:ob-3').terminate('test cleanup');
  });

  it('two relays at once deliver every row exactly once', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `ob-par-${i}`);
    await Promise.all(ids.map((id) => createOrder(anOrder(id, [`${id}-a`, `${id}-b`]))));
    const taskQueue = uniqueTaskQueue('int-outbox-idle');
    const drain = async (r: OutboxRelay) => {
      const mine: string[] = [];
      for (;;) {
        const batch = await r.deliverBatch();
        if (batch.length === 0) return mine;
        mine.push(...batch);
      }
    };
    const [a, b] = await Promise.all([
      drain(relay(taskQueue, { batchSize: 3 })),
      drain(relay(taskQueue, { batchSize: 3 })),
    ]);
    const expected = (await Promise.all(ids.map(async (id) => (await outboxOf(id))[0]!.id))).sort();
    expect(a.filter((id) => b.includes(id))).toEqual([]);
    expect([...a, ...b].filter((id) => expected.includes(id)).sort()).toEqual(expected);
    for (const id of ids) expect(await outboxOf(id)).toMatchObject([{ delivered: true, attempts: 1 }]);
    await Promise.all(ids.map((id) => stack.client.workflow.getHandle(`payment:${id}`).terminate('test cleanup')));
  });
});
