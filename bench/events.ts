import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { testPaymentMethods } from '../simulators/gateway/cards';
import { scratchStack } from '../provision/scratch';
import { startNats } from '../provision/nats';
import { freePort } from '../provision/process';
import { runMain } from '../config/entry';
import { createLogger } from '../config/logger';
import { EventRelay } from '../apps/relay/event-relay';
import { brokerManager, connectBroker } from '../services/shared/broker';
import { EventConsumer } from '../services/shared/consumer';
import {
  activityConsumer,
  activityMigrations,
  activitySchema,
  applyActivity,
} from '../services/customer-activity/projection';
import { migrate } from '../services/migrations';
import { durability, machine, resultsDir, writeResult } from './machine';
import { percentiles } from './stats';

// A quick run (BENCH_QUICK=1) checks the harness, not the numbers.
const ORDERS = Number(process.env.BENCH_EVENTS_ORDERS ?? (process.env.BENCH_QUICK === '1' ? 20 : 500));
const CONCURRENCY = 10;

interface OutboxResult {
  date: string;
  ordersPerSecond: number;
  commitToStartMs: Record<string, number>;
}

/** The latest outbox → workflow-start result in the results folder, to put beside this one. */
function latestOutbox(): OutboxResult | undefined {
  const dir = resultsDir();
  if (!existsSync(dir)) return undefined;
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('-outbox.json'))
    .sort()
    .at(-1);
  return file === undefined ? undefined : (JSON.parse(readFileSync(join(dir, file), 'utf8')) as OutboxResult);
}

/**
 * Domain events: orders created and paid over HTTP (each change and its event in one transaction),
 * published by one event relay woken by NOTIFY to a nats-server with JetStream file storage, and
 * applied by the customer-activity consumer through its inbox. Reports events/s and the latency
 * from the event's commit to its apply, both read from PostgreSQL's clock.
 */
async function run(): Promise<void> {
  const logger = createLogger('bench', 'silent');
  const stack = await scratchStack({ database: 'saga_bench_events', services: ['order'] });
  const storeDir = mkdtempSync(join(tmpdir(), 'saga-bench-nats-'));
  const broker = await startNats({
    host: '127.0.0.1',
    port: await freePort(),
    storeDir,
    logFile: join(tmpdir(), 'saga-bench-nats.log'),
  });
  const { services, databaseUrl } = stack;
  await migrate(databaseUrl, logger, [activityMigrations]);
  const nc = await connectBroker({ servers: [broker.url], name: 'bench' });
  await brokerManager(nc);
  const relay = new EventRelay({ pool: services.pool, databaseUrl, js: jetstream(nc), logger, schemas: ['order'] });
  const consumer = new EventConsumer({
    nc,
    pool: services.pool,
    name: activityConsumer,
    schema: activitySchema,
    apply: applyActivity,
    logger,
  });
  try {
    await consumer.start();
    await relay.start();
    const orderUrl = `${services.urls.order!}/orders`;
    const post = async (url: string, key: string, body: unknown, status: number) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': key,
          authorization: `Bearer ${stack.tokens.callers.operator}`,
        },
        body: JSON.stringify(body),
      });
      if (res.status !== status) throw new Error(`${url}: ${res.status} ${await res.text()}`);
    };
    const t0 = Date.now();
    for (let i = 0; i < ORDERS; i += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, ORDERS - i) }, async (_, k) => {
          const id = `bench-${i + k}`;
          const order = {
            orderId: id,
            customerId: `bench-c${(i + k) % 20}`,
            currency: 'EUR',
            items: [{ sku: 'BENCH-1', quantity: 1, unitPriceCents: 1000 }],
            paymentMethod: testPaymentMethods.success,
          };
          await post(orderUrl, `create:${id}`, order, 201);
          await post(`${orderUrl}/${id}/mark-paid`, `paid:${id}`, { chargeId: `ch-${id}`, amountCents: 1000 }, 200);
        }),
      );
    }
    const events = ORDERS * 2;
    for (;;) {
      const { rows } = await services.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${activitySchema}.inbox`,
      );
      if (rows[0]?.n === events) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - t0) / 1000;
    const { rows } = await services.pool.query<{ ms: number }>(
      `SELECT (extract(epoch FROM i.applied_at - o.created_at) * 1000)::float8 AS ms
       FROM "order".events_outbox o JOIN ${activitySchema}.inbox i USING (event_id)`,
    );
    const outbox = latestOutbox();
    const result = {
      scenario: 'events',
      date: new Date().toISOString(),
      machine: machine(),
      /** The 1-minute load average when the run ended: other work on the machine shows in every number. */
      loadAverage: Math.round(loadavg()[0]! * 10) / 10,
      durability: {
        postgres: await durability(services.pool),
        nats: 'nats-server v2.15.2, JetStream file storage (default sync: flushed by the OS, fsync every 2 min)',
      },
      setup: {
        orders: ORDERS,
        events,
        concurrentCreators: CONCURRENCY,
        relays: 1,
        consumers: 1,
        wake: 'LISTEN/NOTIFY, 2 s poll fallback',
      },
      eventsPerSecond: Math.round(events / seconds),
      commitToApplyMs: percentiles(rows.map((r) => r.ms)),
      outboxToWorkflowStart: outbox,
    };
    const l = result.commitToApplyMs;
    const o = outbox?.commitToStartMs;
    writeResult('events', result.date, result, [
      `# Domain events, ${result.date.slice(0, 10)}`,
      '',
      `${ORDERS} orders created and paid over HTTP, ${CONCURRENCY} at a time: ${events} events, each in its change's transaction.`,
      'One event relay woken by NOTIFY publishes to JetStream (file storage, `Nats-Msg-Id` per event); one',
      'customer-activity consumer applies each through its inbox.',
      `Machine: ${result.machine.cores} cores (${result.machine.cpu}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}; load average ${result.loadAverage} at the end of the run.`,
      `PostgreSQL durability: fsync=${result.durability.postgres.fsync}, synchronous_commit=${result.durability.postgres.synchronous_commit}. NATS: ${result.durability.nats}.`,
      '',
      '| path | per second | p50 ms | p95 ms | p99 ms | max ms |',
      '| --- | --- | --- | --- | --- | --- |',
      `| commit → consumer apply (events) | ${result.eventsPerSecond} events | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} |`,
      outbox && o
        ? `| outbox → workflow start (${outbox.date.slice(0, 10)}, bench/outbox.ts) | ${outbox.ordersPerSecond} orders | ${o.p50} | ${o.p95} | ${o.p99} | ${o.max} |`
        : '| outbox → workflow start | no result recorded yet (bench/outbox.ts) | | | | |',
      '',
      'Commit time is the outbox row’s `created_at`, apply time the inbox row’s `applied_at`, both',
      'from PostgreSQL’s clock. The rate counts from the first order to the last apply.',
    ]);
    console.log(JSON.stringify({ eventsPerSecond: result.eventsPerSecond, commitToApplyMs: l }));
  } finally {
    await relay.stop();
    await consumer.stop();
    await nc.close();
    await broker.stop();
    rmSync(storeDir, { recursive: true, force: true });
    await stack.close();
  }
}

runMain(run);
