import { describe, expect, it } from 'vitest';
import { activityOf } from '../../services/customer-activity/projection';
import { listDeadLetters, type DeadLetter } from '../../services/shared/dead-letters';
import { domainEvent, eventSubject } from '../../contracts/events';
import { runEntry } from '../support/run';
import { http } from '../support/services';
import { migrate } from '../../services/migrations';
import { activityMigrations } from '../../services/customer-activity/projection';
import { readModel, servicesActivity, silent, streamSubjects, unpublished, useEventsStack } from '../support/events';

const stack = useEventsStack();
const saga = (...args: string[]) => runEntry('apps/cli/index.ts', { ...process.env, NATS_URL: stack.broker.url }, args);
const pool = () => stack.services.services.pool;
const eventIdsOf = async (orderId: string) =>
  (
    await pool().query<{ id: string }>(
      `SELECT event_id::text AS id FROM "order".events_outbox WHERE event->>'aggregateId' = $1 ORDER BY seq`,
      [orderId],
    )
  ).rows.map((r) => r.id);
const inboxRows = async (schema: string, ids: string[]) =>
  Number(
    (await pool().query<{ n: number }>(`SELECT count(*) AS n FROM "${schema}".inbox WHERE event_id = ANY($1)`, [ids]))
      .rows[0]!.n,
  );
const counter = async (c: { get(): Promise<{ values: { value: number; labels: object }[] }> }, labels = {}) =>
  (await c.get()).values
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
    .reduce((sum, v) => sum + v.value, 0);

describe('domain events on JetStream', () => {
  it('a relay killed between the broker ack and the mark publishes once: the broker dedupes, the inbox holds one row', async () => {
    await stack.shop.place('ev1-o1', 'ev1-c1');
    const [eventId] = await eventIdsOf('ev1-o1');
    const dying = await stack.relay({
      afterPublish: () => Promise.reject(new Error('relay process died here')),
    });
    await expect(dying.publishBatch('order')).rejects.toThrow(/died/);
    expect(await unpublished(stack.services)).toBe(1);
    expect(await streamSubjects(stack.jsm, 'shop.order.ev1-o1.')).toEqual({ 'shop.order.ev1-o1.order.placed': 1 });

    expect(await (await stack.relay()).publishBatch('order')).toEqual([eventId]);
    expect(await unpublished(stack.services)).toBe(0);
    expect(await streamSubjects(stack.jsm, 'shop.order.ev1-o1.')).toEqual({ 'shop.order.ev1-o1.order.placed': 1 });

    const c = await stack.consumer();
    try {
      await expect.poll(() => activityOf(pool(), 'ev1-c1'), { timeout: 15_000 }).toMatchObject({ ordersPlaced: 1 });
      expect(await inboxRows('customer_activity', [eventId!])).toBe(1);
    } finally {
      await c.stop();
    }
  });

  it('every stock change is a stock.changed event with the levels after it, written with the change', async () => {
    const inventory = stack.services.url('inventory');
    await http('PUT', `${inventory}/stock/EV-SKU.1`, { available: 10 });
    const reserved = await http(
      'POST',
      `${inventory}/reservations`,
      { reservationId: 'ev-r1', items: [{ sku: 'EV-SKU.1', quantity: 3 }] },
      { 'idempotency-key': 'ev-r1' },
    );
    expect(reserved.status).toBe(201);
    // A refused reservation changes nothing and tells nothing.
    const refused = await http(
      'POST',
      `${inventory}/reservations`,
      { reservationId: 'ev-r2', items: [{ sku: 'EV-SKU.1', quantity: 30 }] },
      { 'idempotency-key': 'ev-r2' },
    );
    expect(refused.status).toBe(422);
    const { rows } = await pool().query<{ subject: string; event: unknown }>(
      `SELECT subject, event FROM inventory.events_outbox WHERE event->>'aggregateId' = 'EV-SKU.1' ORDER BY seq`,
    );
    const events = rows.map((r) => domainEvent.parse(r.event));
    expect(events.map((e) => e.data)).toEqual([
      { sku: 'EV-SKU.1', available: 10, reserved: 0, frozen: 0, sold: 0, stocked: 10 },
      { sku: 'EV-SKU.1', available: 7, reserved: 3, frozen: 0, sold: 0, stocked: 10 },
    ]);
    expect(rows.map((r) => r.subject)).toEqual(events.map((e) => eventSubject(e)));
    await (await stack.relay()).drain();
    expect(await streamSubjects(stack.jsm, 'shop.stock.EV-SKU%2E1.')).toEqual({
      'shop.stock.EV-SKU%2E1.stock.changed': 2,
    });
  });

  it('a consumer killed after a commit and before its ack loses nothing and applies nothing twice', async () => {
    for (let i = 0; i < 30; i++) {
      await stack.shop.place(`ev2-o${i}`, `ev2-c${i % 4}`);
      if (i % 2 === 0) await stack.shop.pay(`ev2-o${i}`);
    }
    await (await stack.relay()).drain();
    let applied = 0;
    let killed!: () => void;
    const dead = new Promise<void>((resolve) => (killed = resolve));
    const first = await stack.consumer({
      afterCommit: async () => {
        if (++applied !== 12) return;
        await first.kill(); // the process dies here: the 12th is committed, never acknowledged
        killed();
        throw new Error('consumer killed');
      },
    });
    await dead;
    await first.stop();
    const expected = await servicesActivity(stack.services, 'ev2-');
    expect(await readModel(stack.services, 'ev2-')).not.toEqual(expected);

    const second = await stack.consumer();
    try {
      await expect.poll(() => readModel(stack.services, 'ev2-'), { timeout: 30_000 }).toEqual(expected);
      // The 12th came again and was found in the inbox.
      expect(await counter(second.metrics.handled, { outcome: 'duplicate' })).toBeGreaterThanOrEqual(1);
      const ids = (await Promise.all(Array.from({ length: 30 }, (_, i) => eventIdsOf(`ev2-o${i}`)))).flat();
      expect(await inboxRows('customer_activity', ids)).toBe(45);
    } finally {
      await second.stop();
    }
  });

  it('a broker killed and restarted mid-stream loses no acknowledged event', async () => {
    const relay = await stack.relay({ publishTimeoutMs: 1000 });
    const c = await stack.consumer();
    await relay.start();
    try {
      for (let i = 0; i < 40; i++) {
        if (i === 20) await stack.broker.restart();
        await stack.shop.place(`ev3-o${i}`, `ev3-c${i % 5}`);
        if (i % 3 === 0) await stack.shop.pay(`ev3-o${i}`);
      }
      await expect.poll(() => unpublished(stack.services), { timeout: 60_000 }).toBe(0);
      const expected = await servicesActivity(stack.services, 'ev3-');
      await expect.poll(() => readModel(stack.services, 'ev3-'), { timeout: 60_000 }).toEqual(expected);
      // Every event the broker acknowledged is still in the stream, each once.
      const subjects = await streamSubjects(stack.jsm, 'shop.order.ev3-');
      expect(Object.values(subjects).reduce((a, b) => a + b, 0)).toBe(40 + 14);
      expect(Object.values(subjects).every((n) => n === 1)).toBe(true);
    } finally {
      await relay.stop();
      await c.stop();
    }
  });

  it('an event that always fails lands in the dead-letter stream after N tries and is applied once after a fix and a replay', async () => {
    await migrate(stack.services.databaseUrl, silent, [{ ...activityMigrations, schema: 'events_poison' }]);
    let fixed = false;
    let tries = 0;
    const c = await stack.consumer({
      name: 'poison-test',
      schema: 'events_poison',
      filterSubjects: ['shop.order.ev4-bad.>', 'shop.order.ev4-good.>'],
      maxAttempts: 3,
      apply: async (_db, event) => {
        if (event.aggregateId !== 'ev4-bad') return;
        tries++;
        if (!fixed) throw new Error('cannot apply order ev4-bad');
      },
    });
    try {
      await stack.shop.place('ev4-bad', 'ev4-c1');
      await stack.shop.place('ev4-good', 'ev4-c1');
      await (await stack.relay()).drain();
      const [bad] = await eventIdsOf('ev4-bad');
      const [good] = await eventIdsOf('ev4-good');
      await expect
        .poll(async () => (await listDeadLetters(stack.jsm)).filter((d) => d.consumer === 'poison-test'), {
          timeout: 15_000,
        })
        .toMatchObject([
          {
            subject: 'shop.order.ev4-bad.order.placed',
            eventId: bad,
            attempts: 3,
            error: expect.stringContaining('cannot apply order ev4-bad'),
          },
        ]);
      expect(tries).toBe(3);
      expect(await inboxRows('events_poison', [good!])).toBe(1); // the others go on
      expect(await inboxRows('events_poison', [bad!])).toBe(0);
      expect(await counter(c.metrics.deadLetters)).toBe(1);
      expect(await counter(c.metrics.redeliveries)).toBe(2);

      // The operator finds it with the CLI, fixes the cause, and replays it.
      const listed = await saga('events', 'dead-letters', '--json');
      expect(listed.code).toBe(0);
      const letter = (JSON.parse(listed.stdout) as DeadLetter[]).find((d) => d.consumer === 'poison-test')!;
      expect(letter).toMatchObject({ eventId: bad, subject: 'shop.order.ev4-bad.order.placed' });
      fixed = true;
      const replayed = await saga('events', 'replay', String(letter.seq));
      expect(replayed).toMatchObject({ code: 0, stdout: expect.stringContaining('replayed shop.order.ev4-bad') });
      await expect.poll(() => inboxRows('events_poison', [bad!]), { timeout: 15_000 }).toBe(1);
      expect(tries).toBe(4);
      expect((await listDeadLetters(stack.jsm)).filter((d) => d.consumer === 'poison-test')).toEqual([]);
      expect(await saga('events', 'replay', String(letter.seq))).toMatchObject({ code: 1 }); // gone
      expect(await saga('events', 'replay', 'x')).toMatchObject({ code: 2, stderr: expect.stringContaining('seq') });
    } finally {
      await c.stop();
    }
  });
});
