import { describe, expect, it } from 'vitest';
import type { EventConsumer } from '../../services/shared/consumer';
import { readModel, servicesActivity, unpublished, useEventsStack } from '../support/events';

const stack = useEventsStack();
const pool = () => stack.services.services.pool;
const orders = 1000;

/** Runs `work` for 0..n-1, `width` at a time. */
async function inParallel(n: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

describe('customer-activity read model', () => {
  it(`after ${orders} orders under relay, consumer and broker faults it equals the services' data row for row`, async () => {
    let published = 0;
    const relay = await stack.relay({
      batchSize: 50,
      // Every 150th publish the relay dies after the broker's ack: its whole batch goes out again.
      afterPublish: async () => {
        if (++published % 150 === 0) throw new Error('relay process died here');
      },
    });
    let applied = 0;
    let killed = false;
    let current: { consumer: EventConsumer; stop(): Promise<void> } | undefined;
    const replacement: Promise<void>[] = [];
    const first = await stack.consumer({
      afterCommit: async () => {
        if (++applied !== 700 || killed) return;
        killed = true;
        await first.kill(); // dies after a commit, before its ack
        replacement.push(stack.consumer().then((c) => void (current = c)));
        throw new Error('consumer killed');
      },
    });
    current = first;
    await relay.start();
    try {
      await inParallel(orders, 8, async (i) => {
        if (i === Math.floor(orders * 0.6)) await stack.broker.restart();
        const orderId = `ev5-o${i}`;
        const customerId = `ev5-c${i % 50}`;
        await stack.shop.place(orderId, customerId);
        switch (i % 6) {
          case 0:
          case 1:
          case 2:
            await stack.shop.pay(orderId);
            await stack.shop.award(customerId, orderId, 10 * ((i % 7) + 1));
            break;
          case 3:
            await stack.shop.cancel(orderId);
            break;
          case 4:
            await stack.shop.pay(orderId);
            await stack.shop.refund(orderId, 1000 + (i % 3) * 500);
            break;
          default: // stays pending
        }
      });
      await expect.poll(() => unpublished(stack.services), { timeout: 120_000, interval: 500 }).toBe(0);
      const expected = await servicesActivity(stack.services, 'ev5-');
      expect(expected).toHaveLength(50);
      await expect.poll(() => readModel(stack.services, 'ev5-'), { timeout: 120_000, interval: 500 }).toEqual(expected);
      expect(killed).toBe(true);
      expect(published).toBeGreaterThan(3 * 150); // the relay died several times
      // Each event exactly once in the inbox: as many rows as the outboxes hold events.
      const { rows } = await pool().query<{ inbox: number; events: number }>(
        `SELECT (SELECT count(*) FROM customer_activity.inbox)::int AS inbox,
           ((SELECT count(*) FROM "order".events_outbox) + (SELECT count(*) FROM wallet.events_outbox))::int AS events`,
      );
      expect(rows[0]!.inbox).toBe(rows[0]!.events);
    } finally {
      await relay.stop();
      await Promise.all(replacement);
      await current.stop();
    }
  });
});
