import { inject } from 'vitest';
import { createActivities, serviceDeps, type ServiceDeps } from '../../activities';
import { startServices, type RunningServices } from '../../services';
import { serviceNames } from '../../temporal-config';
import { createLogger } from '../../temporal-config/logger';
import './context';

/**
 * Every participant service, in this process on free ports, over the run's test database, plus
 * the real activities pointed at them over HTTP.
 */
export async function startTestServices(): Promise<{
  services: RunningServices;
  activities: ReturnType<typeof createActivities>;
  url(name: keyof ServiceDeps): string;
}> {
  const services = await startServices({
    databaseUrl: inject('databaseUrl'),
    services: serviceNames.map((name) => ({ name, host: '127.0.0.1', port: 0 })),
    logger: createLogger('test-services', 'silent'),
    poolSize: 10,
  });
  const url = (name: keyof ServiceDeps) => {
    const u = services.urls[name];
    if (u === undefined) throw new Error(`service ${name} did not start`);
    return u;
  };
  const urls = Object.fromEntries(serviceNames.map((n) => [n, url(n)])) as Record<keyof ServiceDeps, string>;
  return { services, activities: createActivities(serviceDeps(urls)), url };
}

/** JSON over HTTP to a service, as a caller would send it. */
export async function http(
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
