import type { OutboxSealer } from '../../services/order/outbox';
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import { createActivities, serviceDeps, type ServiceDeps } from '../../activities';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, recreateDatabase } from '../../provision/postgres';
import { startServices, type RunningServices } from '../../apps/services';
import { keepAsOrphans, temporalDelivery } from '../../apps/services/temporal-delivery';
import { devWebhookSecret, serviceNames } from '../../config';
import { generateServiceTokens } from '../../config/service-tokens';
import { createLogger, type Logger } from '../../config/logger';
import './context';

/** The gateway's timings in tests: short, and a hang longer than the activities' request timeout. */
export const testGatewayTimings = { settleMs: 50, callbackDelayMs: 1500, lateMs: 3000, hangMs: 5000 };
export const testRequestTimeoutMs = 4000;
export const testWebhookSecret = devWebhookSecret;
/** The service tokens of this test process: activities send `worker`'s, `http` sends `operator`'s. */
export const testServiceTokens = generateServiceTokens();
/** The header a test sends to a service as the operator. */
export const operatorAuth = { authorization: `Bearer ${testServiceTokens.callers.operator}` };
/**
 * The same tokens as a file, named by this process's SERVICE_TOKENS_FILE, so that a process a test
 * starts with this environment (a worker) calls the test's services with them. Removed on exit.
 */
export const testServiceTokensFile = join(mkdtempSync(join(tmpdir(), 'saga-test-tokens-')), 'service-tokens.json');
writeFileSync(testServiceTokensFile, JSON.stringify(testServiceTokens), { mode: 0o600 });
process.env.SERVICE_TOKENS_FILE = testServiceTokensFile;
process.once('exit', () => rmSync(join(testServiceTokensFile, '..'), { recursive: true, force: true }));

/** How a file's services differ from the defaults: the gateway's timings, fixed ports (a restart). */
export interface TestServiceOptions {
  gatewayTimings?: Partial<typeof testGatewayTimings>;
  ports?: Partial<Record<keyof ServiceDeps, number>>;
  logger?: Logger;
  /** Seals the order service's outbox rows (the payload codec's sealer). */
  outbox?: OutboxSealer;
  /** The flash-sale gate's Redis and shard count; unset: the inventory has no gate. */
  flashSaleGate?: { url: string; shards: number };
}

/**
 * Every participant service, in this process on free ports (or `ports`), over the run's test
 * database, plus the real activities pointed at them over HTTP. With a Temporal client the
 * callback receiver signals workflows; without one it keeps every callback as an orphan. With `flashSaleGate`, the
 * inventory's flash-sale gate uses that Redis.
 */
export async function startTestServices(
  client: Client | undefined,
  databaseUrl: string,
  options: TestServiceOptions = {},
): Promise<{
  services: RunningServices;
  activities: ReturnType<typeof createActivities>;
  url(name: keyof ServiceDeps): string;
}> {
  const services = await startServices({
    databaseUrl,
    services: serviceNames.map((name) => ({ name, host: '127.0.0.1', port: options.ports?.[name] ?? 0 })),
    logger: options.logger ?? createLogger('test-services', 'silent'),
    poolSize: 10,
    tokens: testServiceTokens,
    links: {
      gateway: {
        secret: testWebhookSecret,
        toleranceSeconds: 300,
        timings: { ...testGatewayTimings, ...options.gatewayTimings },
      },
      deliver: client ? temporalDelivery(client) : keepAsOrphans,
      ...(options.outbox ? { outbox: options.outbox } : {}),
      ...(options.flashSaleGate ? { flashSaleGate: options.flashSaleGate } : {}),
    },
  });
  const url = (name: keyof ServiceDeps) => {
    const u = services.urls[name];
    if (u === undefined) throw new Error(`service ${name} did not start`);
    return u;
  };
  const urls = Object.fromEntries(serviceNames.map((n) => [n, url(n)])) as Record<keyof ServiceDeps, string>;
  const deps = serviceDeps(urls, testServiceTokens.callers.worker);
  deps.payments.requestTimeoutMs = testRequestTimeoutMs;
  return { services, activities: createActivities(deps, client), url };
}

/**
 * A fresh database for one test file, next to the run's test database on the same server: each
 * file's services (and the gateway's background dispatcher) then see only that file's rows. `drop`
 * removes it when the file is done.
 */
export async function freshDatabase(
  suffix = randomUUID().slice(0, 8),
): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(inject('databaseUrl'));
  const name = `${url.pathname.slice(1)}_${suffix.replaceAll('-', '_')}`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  await recreateDatabase(admin.toString(), name);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(admin.toString(), name) };
}

/**
 * JSON over HTTP to a service, as a caller would send it: with the operator's service token
 * unless `headers` has an `authorization` of its own (`null` sends none).
 */
export async function http(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
  headers: Record<string, string | null> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const sent = { ...operatorAuth, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers };
  const response = await fetch(url, {
    method,
    headers: Object.fromEntries(Object.entries(sent).filter((e): e is [string, string] => e[1] !== null)),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // Without `date`: two answers compared whole (a stored answer and the first) must not differ by the second they were sent in.
  const answered = new Headers(response.headers);
  answered.delete('date');
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: answered };
}

/**
 * The inventory behind an HTTP proxy in "stocktake": it answers 422 `Stocktake` to every request
 * whose path `refuses` picks and forwards the rest, and the real activities pointed at it (the
 * other services as they are), so a saga's undo can be refused until the test says otherwise.
 * `close` stops the proxy.
 */
export async function inventoryInStocktake(
  url: (name: keyof ServiceDeps) => string,
  client: Client,
  refuses: (path: string) => boolean,
): Promise<{ activities: ReturnType<typeof createActivities>; close(): Promise<void> }> {
  const inventory = url('inventory');
  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: string) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(body);
      if (refuses(req.url ?? '')) {
        return reply(422, JSON.stringify({ error: { type: 'Stocktake', message: 'stock is being counted' } }));
      }
      const headers = Object.fromEntries(
        ['content-type', 'idempotency-key', 'authorization'].flatMap((h) =>
          req.headers[h] ? [[h, String(req.headers[h])]] : [],
        ),
      );
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${inventory}${req.url}`, { method: req.method, headers, body })
        .then(async (r) => reply(r.status, await r.text()))
        .catch((err: Error) => reply(502, JSON.stringify({ error: { type: 'Proxy', message: err.message } })));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const urls = Object.fromEntries(serviceNames.map((n) => [n, url(n)])) as Record<keyof ServiceDeps, string>;
  const deps = serviceDeps(
    { ...urls, inventory: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` },
    testServiceTokens.callers.worker,
  );
  deps.payments.requestTimeoutMs = testRequestTimeoutMs;
  return {
    activities: createActivities(deps, client),
    close: () => new Promise<void>((r) => proxy.close(() => r())),
  };
}
