import { flows } from '../contracts/flows';
import { testPaymentMethods } from '../simulators/gateway/cards';
import { scratchStack } from '../provision/scratch';
import { runMain } from '../config/entry';
import { createLogger } from '../config/logger';
import { OutboxRelay } from '../apps/relay/outbox-relay';
import { durability, machine, writeResult } from './machine';
import { percentiles } from './stats';

// A quick run (BENCH_QUICK=1) checks the harness, not the numbers.
const ORDERS = Number(process.env.BENCH_OUTBOX_ORDERS ?? (process.env.BENCH_QUICK === '1' ? 20 : 300));
const CONCURRENCY = 10;

/**
 * Outbox: orders created over HTTP (order row + outbox row in one transaction), delivered by one
 * relay woken by NOTIFY. Reports the latency from the outbox row's commit to the start of its
 * workflow, as recorded by the Temporal server. No worker runs: only the start is measured.
 */
async function run(): Promise<void> {
  const logger = createLogger('bench', 'silent');
  const stack = await scratchStack({ database: 'saga_bench_outbox', services: ['order'], temporal: true });
  const { services, databaseUrl } = stack;
  const client = stack.temporal!.client;
  const relay = new OutboxRelay({
    pool: services.pool,
    databaseUrl,
    client,
    start: { taskQueue: 'bench-outbox' },
    logger,
  });
  try {
    await relay.start();
    const orderUrl = `${services.urls.order!}/orders`;
    const t0 = Date.now();
    for (let i = 0; i < ORDERS; i += CONCURRENCY) {
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, ORDERS - i) }, async (_, k) => {
          const id = `bench-${i + k}`;
          const res = await fetch(orderUrl, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'idempotency-key': `create:${id}`,
              authorization: `Bearer ${stack.tokens.callers.operator}`,
            },
            body: JSON.stringify({
              orderId: id,
              customerId: 'bench',
              currency: 'EUR',
              items: [{ sku: 'BENCH-1', quantity: 1, unitPriceCents: 1000 }],
              paymentMethod: testPaymentMethods.success,
            }),
          });
          if (res.status !== 201) throw new Error(`order ${id}: ${res.status} ${await res.text()}`);
        }),
      );
    }
    for (;;) {
      const { rows } = await services.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM "order".outbox WHERE delivered_at IS NULL',
      );
      if (rows[0]?.n === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - t0) / 1000;
    const { rows } = await services.pool.query<{ orderId: string; committedMs: string }>(
      `SELECT aggregate_id AS "orderId", (extract(epoch FROM created_at) * 1000)::text AS "committedMs" FROM "order".outbox`,
    );
    const latencies = await Promise.all(
      rows.map(async (r) => {
        const started = (
          await client.workflow.getHandle(flows.paymentSaga.id(r.orderId)).describe()
        ).startTime.getTime();
        return started - Number(r.committedMs);
      }),
    );
    const result = {
      scenario: 'outbox',
      date: new Date().toISOString(),
      machine: machine(),
      durability: {
        postgres: await durability(services.pool),
        temporal: 'dev server, in-memory SQLite (not durable; the start is what is measured)',
      },
      setup: { orders: ORDERS, concurrentCreators: CONCURRENCY, relays: 1, wake: 'LISTEN/NOTIFY, 2 s poll fallback' },
      ordersPerSecond: Math.round(ORDERS / seconds),
      commitToStartMs: percentiles(latencies),
    };
    const l = result.commitToStartMs;
    writeResult('outbox', result.date, result, [
      `# Outbox, ${result.date.slice(0, 10)}`,
      '',
      `${ORDERS} orders created over HTTP, ${CONCURRENCY} at a time; one relay woken by NOTIFY starts each payment saga.`,
      `Machine: ${result.machine.cores} cores (${result.machine.cpu}), ${result.machine.memoryGiB} GiB, Node ${result.machine.node}.`,
      `PostgreSQL durability: fsync=${result.durability.postgres.fsync}, synchronous_commit=${result.durability.postgres.synchronous_commit}. Temporal: ${result.durability.temporal}.`,
      '',
      '| orders/s | commit→start p50 ms | p95 ms | p99 ms | max ms |',
      '| --- | --- | --- | --- | --- |',
      `| ${result.ordersPerSecond} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} |`,
      '',
      'Commit time is the outbox row’s `created_at` in PostgreSQL, start time the workflow’s start as',
      'recorded by the Temporal server; both clocks are this machine’s.',
    ]);
    console.log(JSON.stringify({ ordersPerSecond: result.ordersPerSecond, commitToStartMs: l }));
  } finally {
    await relay.stop();
    await stack.close();
  }
}

runMain(run);
