import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { OutboxRelay } from '../../apps/relay/outbox-relay';
import { codecOutboxSealer } from '../../apps/outbox-sealer';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { projectRoot } from '../../provision/tools';
import { testCards } from '../../simulators/gateway/cards';
import { dataConverter, encryptedEncoding, keyIdMetadata } from '../../temporal-config/payload-codec';
import { useStack } from '../support/fixtures';
import { http } from '../support/services';
import { shop } from '../support/shop';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const keys = loadConfig({
  PAYLOAD_KEYS: `kid1:${randomBytes(32).toString('base64')},kid0:${randomBytes(32).toString('base64')}`,
}).payloadKeys;
const converter = dataConverter(keys);
const logDir = join(projectRoot, 'test-results', 'card-data');
mkdirSync(logDir, { recursive: true });
const logFile = join(logDir, 'services.log');
writeFileSync(logFile, '');
// Every line the services and the relay write, at debug level, into one file read back below.
const logger = createLogger('card-data', 'debug', pino.destination({ dest: logFile, sync: true }));
const sealer = codecOutboxSealer(keys);
const stack = useStack({ dataConverter: converter, logger, outbox: sealer });
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);
const post = (service: Parameters<typeof stack.url>[0], path: string, body: unknown, key?: string) =>
  http('POST', `${stack.url(service)}${path}`, body, key === undefined ? {} : { 'idempotency-key': key });

const customers = { ok: 'cust-secret-4711', declined: 'cust-secret-4712' };
const cardNumbers = Object.values(testCards);
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Everything in a fetched history as text: every field, and every payload's bytes as they are stored. */
function rawText(value: unknown): string {
  const parts: string[] = [];
  const walk = (v: unknown) => {
    if (v instanceof Uint8Array) parts.push(text(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
    else parts.push(String(v));
  };
  walk(value);
  return parts.join('\n');
}

/** The README's tour: the card into the vault, an order paid with its token, the relay starts the saga. */
async function tour(orderId: string, customerId: string, number: string, taskQueue: string) {
  await db.stock(`${orderId}-sku`, 10);
  const nextYear = new Date().getUTCFullYear() + 1;
  const vaulted = await post('payments', '/payment-methods', { number, expMonth: 12, expYear: nextYear });
  expect(vaulted.status).toBe(201);
  const { paymentMethod } = vaulted.body as { paymentMethod: string };
  const order = {
    orderId,
    customerId,
    currency: 'EUR',
    items: [{ sku: `${orderId}-sku`, quantity: 2, unitPriceCents: 1500 }],
    paymentMethod,
  };
  expect((await post('order', '/orders', order, `create:${orderId}`)).status).toBe(201);
  const relay = new OutboxRelay({
    pool: stack.services.pool,
    databaseUrl: stack.databaseUrl,
    client: stack.client,
    start: { taskQueue },
    sealer,
    logger,
  });
  await relay.start();
  try {
    const handle = stack.client.workflow.getHandle(`payment:${orderId}`);
    await expect
      .poll(
        () =>
          handle.describe().then(
            () => true,
            () => false,
          ),
        { timeout: 15_000 },
      )
      .toBe(true);
    return await handle.result().then(
      (r) => ({ ok: true as const, result: r }),
      (e: unknown) => ({ ok: false as const, error: e }),
    );
  } finally {
    await relay.stop();
  }
}

describe('card data and customer ids never reach a history, the outbox or a log', () => {
  it('the tour under the codec: the raw history, outbox and logs hold no card number or customer id', async () => {
    const taskQueue = uniqueTaskQueue('int-card-data');
    const { ok, declined } = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities, dataConverter: converter },
      async () => ({
        ok: await tour('cd-1', customers.ok, testCards.success, taskQueue),
        declined: await tour('cd-2', customers.declined, testCards.declined, taskQueue),
      }),
    );
    expect(ok).toMatchObject({ ok: true, result: { status: 'PAID', amountCents: 3000 } });
    expect(declined.ok).toBe(false);
    expect(await db.orderOf('cd-2')).toMatchObject({ status: 'CANCELLED' });

    // The server's history, read with a plain client (the SDK's default converter, no codec).
    const plain = new Client({ connection: stack.client.connection });
    for (const orderId of ['cd-1', 'cd-2']) {
      const history = await plain.workflow.getHandle(`payment:${orderId}`).fetchHistory();
      const raw = rawText(history);
      for (const n of cardNumbers) expect(raw).not.toContain(n);
      for (const c of Object.values(customers)) expect(raw).not.toContain(c);
      expect(raw).not.toContain('pm_card_');
      const started = history.events![0]!.workflowExecutionStartedEventAttributes!;
      const input = started.input!.payloads![0]!;
      expect(text(input.metadata!.encoding!)).toBe(encryptedEncoding);
      expect(text(input.metadata![keyIdMetadata]!)).toBe('kid1');
      // Search attributes stay plain, for finding: only these, and none holds a secret (checked above).
      const attributes = history.events!.flatMap((e) => [
        ...Object.keys(e.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields ?? {}),
        ...Object.keys(e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
      ]);
      // TemporalChangeVersion is the SDK's: the patch ids the run took.
      expect(new Set(attributes)).toEqual(
        new Set(['FlowType', 'OrderId', 'AmountCents', 'SagaStatus', 'TemporalChangeVersion']),
      );
    }

    // The codec's client reads the same history back.
    const decoded = await stack.client.workflow.getHandle('payment:cd-1').fetchHistory();
    const startedInput = decoded.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
    const [opened] = await converter.payloadCodecs![0]!.decode([startedInput]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toMatchObject({
      customerId: customers.ok,
      paymentMethod: 'pm_card_success',
    });

    // The outbox row that started it, and the gateway's own tables: a token and last four, no number.
    const rows = await stack.services.pool.query<{ row: string }>(
      `SELECT payload::text AS row FROM "order".outbox
       UNION ALL SELECT row_to_json(c)::text FROM payments.charges c
       UNION ALL SELECT row_to_json(p)::text FROM payments.payment_methods p`,
    );
    const stored = rows.rows.map((r) => r.row).join('\n');
    expect(stored).toContain('pm_card_success'); // the charge's token
    for (const n of cardNumbers) expect(stored).not.toContain(n);
    const outbox = await stack.services.pool.query<{ payload: unknown }>(
      `SELECT payload FROM "order".outbox WHERE aggregate_id = 'cd-1'`,
    );
    const outboxText = JSON.stringify(outbox.rows);
    for (const c of Object.values(customers)) expect(outboxText).not.toContain(c);
    expect(outboxText).toContain('sealed');
    // With the codec the row opens to the request that created the order.
    expect(await sealer.open(outbox.rows[0]!.payload)).toMatchObject({ customerId: customers.ok });
    // Sealed rows still tell the same order from another request for its id.
    const again = { ...(await sealer.open(outbox.rows[0]!.payload)), customerId: 'cust-other' };
    expect((await post('order', '/orders', again, 'create:cd-1:other')).status).toBe(409);

    // Every log of the run: this file's services and relay, and the dev server's.
    const logs = [logFile, join(projectRoot, '.data', 'logs', 'temporal-test.log')].filter((f) => existsSync(f));
    expect(readFileSync(logFile, 'utf8').length).toBeGreaterThan(0);
    for (const f of logs) {
      const content = readFileSync(f, 'utf8');
      for (const n of cardNumbers) expect(content, f).not.toContain(n);
    }
  });

  it('a card number mistakenly logged is masked: the logger never writes one', () => {
    const file = join(logDir, 'mistakes.log');
    writeFileSync(file, '');
    const log = createLogger('mistakes', 'info', pino.destination({ dest: file, sync: true }));
    log.info({ body: { cardNumber: testCards.success, note: `card ${testCards.declined}` } }, `got ${testCards.slow}`);
    log.error(new Error(`charge for ${testCards.success} failed`));
    const content = readFileSync(file, 'utf8');
    expect(content.trim().split('\n')).toHaveLength(2);
    for (const n of cardNumbers) expect(content).not.toContain(n);
    expect(content).toContain('[card number]');
  });
});
