import { jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import { EventRelay, type EventRelayOptions } from '../../apps/relay/event-relay';
import { createLogger } from '../../config/logger';
import {
  activityConsumer,
  activityMigrations,
  activitySchema,
  allActivity,
  applyActivity,
  type CustomerActivity,
} from '../../services/customer-activity/projection';
import { brokerManager, connectBroker, eventsStream } from '../../services/shared/broker';
import { EventConsumer, type EventConsumerOptions } from '../../services/shared/consumer';
import { ConsumerMetrics } from '../../services/shared/consumer-metrics';
import { migrate } from '../../services/migrations';
import { useServices, type Services } from './fixtures';
import { useNats, type TestBroker } from './nats';
import { http } from './services';
import { anOrder } from './shop';

export const silent = createLogger('test-events', 'silent');

export interface EventsStack {
  services: Services;
  broker: TestBroker;
  /** The test's own connection (publishing, stream reads). */
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  relay(extra?: Partial<EventRelayOptions>): Promise<EventRelay>;
  /**
   * The customer-activity consumer (or another, by `extra`), on a connection of its own, which
   * `kill` closes without a drain: what a killed process leaves behind. Short ack wait and backoff.
   */
  consumer(extra?: Partial<EventConsumerOptions>): Promise<{
    consumer: EventConsumer;
    metrics: ConsumerMetrics;
    kill(): Promise<void>;
    stop(): Promise<void>;
  }>;
  /** Services driven over HTTP, as their callers would. */
  shop: ReturnType<typeof driver>;
}

/** The participant services, a broker and the read model's schema for one test file. */
export function useEventsStack(): EventsStack {
  const services = useServices();
  const broker = useNats();
  const closing: (() => Promise<void>)[] = [];
  const connect = async (name: string) => {
    const nc = await connectBroker({ servers: [broker.url], name });
    closing.push(() => nc.close().catch(() => undefined));
    return nc;
  };
  const stack = {
    services,
    broker,
    shop: driver((name) => services.url(name)),
    async relay(extra: Partial<EventRelayOptions> = {}) {
      const nc = await connect('test-relay');
      await brokerManager(nc);
      return new EventRelay({
        pool: services.services.pool,
        databaseUrl: services.databaseUrl,
        js: jetstream(nc),
        logger: silent,
        pollIntervalMs: 200,
        ...extra,
      });
    },
    async consumer(extra: Partial<EventConsumerOptions> = {}) {
      const nc = await connect('test-consumer');
      const metrics = new ConsumerMetrics(new Registry());
      const consumer = new EventConsumer({
        nc,
        pool: services.services.pool,
        name: activityConsumer,
        schema: activitySchema,
        apply: applyActivity,
        ackWaitMs: 1500,
        backoffMs: [50, 100],
        metrics,
        logger: silent,
        ...extra,
      });
      await consumer.start();
      return { consumer, metrics, kill: () => nc.close(), stop: () => consumer.stop() };
    },
  } as EventsStack;
  beforeAll(async () => {
    await migrate(services.databaseUrl, silent, [activityMigrations]);
    stack.nc = await connect('test');
    stack.js = jetstream(stack.nc);
    stack.jsm = await brokerManager(stack.nc);
  });
  afterAll(async () => {
    for (const close of closing.reverse()) await close();
  });
  return stack;
}

/** Orders, payments, cancellations, refunds and points through the services' HTTP APIs. */
function driver(url: (name: 'order' | 'wallet') => string) {
  const post = async (base: string, path: string, body: unknown, key: string) => {
    const r = await http('POST', `${base}${path}`, body, { 'idempotency-key': key });
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown;
  };
  return {
    /** 50.00 EUR, as `anOrder` builds it. */
    place: (orderId: string, customerId: string) =>
      post(url('order'), '/orders', anOrder(orderId, [`${orderId}-a`, `${orderId}-b`], { customerId }), `c:${orderId}`),
    pay: (orderId: string) =>
      post(
        url('order'),
        `/orders/${orderId}/mark-paid`,
        { chargeId: `ch-${orderId}`, amountCents: 5000 },
        `p:${orderId}`,
      ),
    cancel: (orderId: string) =>
      post(url('order'), `/orders/${orderId}/cancel`, { reason: 'changed mind' }, `x:${orderId}`),
    refund: (orderId: string, amountCents: number) =>
      post(url('order'), `/orders/${orderId}/refunds`, { refundId: `r-${orderId}`, amountCents }, `r:${orderId}`),
    award: (customerId: string, orderId: string, points: number) =>
      post(url('wallet'), '/points/award', { entryId: `e-${orderId}`, customerId, orderId, points }, `a:${orderId}`),
  };
}

/**
 * What the services hold, per customer whose id starts with `prefix`, in the read model's shape:
 * orders by outcome and money from the order service, the points from the wallet's entries.
 */
export async function servicesActivity(services: Services, prefix: string): Promise<CustomerActivity[]> {
  const { rows } = await services.services.pool.query<CustomerActivity>(
    `WITH o AS (
       SELECT customer_id, count(*)::int AS placed, count(*) FILTER (WHERE paid_at IS NOT NULL)::int AS paid,
         count(*) FILTER (WHERE status = 'CANCELLED')::int AS cancelled,
         coalesce(sum(paid_cents), 0)::bigint AS paid_cents, sum(refunded_cents)::bigint AS refunded
       FROM "order".orders GROUP BY customer_id),
     w AS (SELECT customer_id, sum(points)::bigint AS points FROM wallet.point_entries GROUP BY customer_id)
     SELECT coalesce(o.customer_id, w.customer_id) AS "customerId", coalesce(placed, 0) AS "ordersPlaced",
       coalesce(paid, 0) AS "ordersPaid", coalesce(cancelled, 0) AS "ordersCancelled",
       coalesce(paid_cents, 0) AS "paidCents", coalesce(refunded, 0) AS "refundedCents", coalesce(points, 0) AS points
     FROM o FULL JOIN w ON o.customer_id = w.customer_id
     WHERE coalesce(o.customer_id, w.customer_id) LIKE $1 || '%' ORDER BY 1`,
    [prefix],
  );
  return rows;
}

/** The read model's rows for customers whose id starts with `prefix`. */
export async function readModel(services: Services, prefix: string): Promise<CustomerActivity[]> {
  return (await allActivity(services.services.pool)).filter((r) => r.customerId.startsWith(prefix));
}

/** How many messages the events stream holds per subject, for subjects starting with `prefix`. */
export async function streamSubjects(jsm: JetStreamManager, prefix: string): Promise<Record<string, number>> {
  const info = await jsm.streams.info(eventsStream, { subjects_filter: '>' });
  return Object.fromEntries(Object.entries(info.state.subjects ?? {}).filter(([s]) => s.startsWith(prefix)));
}

/** Rows of the events outboxes not yet published. */
export async function unpublished(services: Services): Promise<number> {
  const { rows } = await services.services.pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM "order".events_outbox WHERE published_at IS NULL)
          + (SELECT count(*) FROM wallet.events_outbox WHERE published_at IS NULL)
          + (SELECT count(*) FROM inventory.events_outbox WHERE published_at IS NULL)
          + (SELECT count(*) FROM approvals.events_outbox WHERE published_at IS NULL) AS n`,
  );
  return Number(rows[0]!.n);
}
