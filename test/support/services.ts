import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import { createActivities, serviceDeps, type ServiceDeps } from '../../activities';
import { randomUUID } from 'node:crypto';
import { dropDatabase, recreateDatabase } from '../../provision/postgres';
import { startServices, type RunningServices } from '../../apps/services';
import { keepAsOrphans, temporalDelivery } from '../../apps/services/temporal-delivery';
import { devWebhookSecret, serviceNames } from '../../config';
import { createLogger } from '../../config/logger';
import './context';

/** The gateway's timings in tests: short, and a hang longer than the activities' request timeout. */
export const testGatewayTimings = { settleMs: 50, callbackDelayMs: 1500, lateMs: 3000, hangMs: 5000 };
export const testRequestTimeoutMs = 4000;
export const testWebhookSecret = devWebhookSecret;

/**
 * Every participant service, in this process on free ports, over the run's test database, plus
 * the real activities pointed at them over HTTP. With a Temporal client the callback receiver
 * signals workflows; without one it keeps every callback as an orphan. With `flashSaleGate`, the
 * inventory's flash-sale gate uses that Redis.
 */
export async function startTestServices(
  client: Client | undefined,
  databaseUrl: string,
  flashSaleGate?: { url: string; shards: number },
): Promise<{
  services: RunningServices;
  activities: ReturnType<typeof createActivities>;
  url(name: keyof ServiceDeps): string;
}> {
  const services = await startServices({
    databaseUrl,
    services: serviceNames.map((name) => ({ name, host: '127.0.0.1', port: 0 })),
    logger: createLogger('test-services', 'silent'),
    poolSize: 10,
    links: {
      gateway: { secret: testWebhookSecret, toleranceSeconds: 300, timings: testGatewayTimings },
      deliver: client ? temporalDelivery(client) : keepAsOrphans,
      ...(flashSaleGate ? { flashSaleGate } : {}),
    },
  });
  const url = (name: keyof ServiceDeps) => {
    const u = services.urls[name];
    if (u === undefined) throw new Error(`service ${name} did not start`);
    return u;
  };
  const urls = Object.fromEntries(serviceNames.map((n) => [n, url(n)])) as Record<keyof ServiceDeps, string>;
  const deps = serviceDeps(urls);
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

/** JSON over HTTP to a service, as a caller would send it. */
export async function http(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}
