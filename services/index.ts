import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ServiceName } from '../temporal-config';
import { createPool, type Pool } from './shared/db';
import { buildCouponApp } from './coupon/app';
import { buildInventoryApp } from './inventory/app';
import { buildOrderApp } from './order/app';
import { buildPaymentsApp } from './payments/app';
import { buildShippingApp } from './shipping/app';
import { buildWalletApp } from './wallet/app';
import { migrate } from './migrations';

const builders: Record<ServiceName, (pool: Pool, logger: Logger) => FastifyInstance> = {
  order: buildOrderApp,
  inventory: buildInventoryApp,
  payments: buildPaymentsApp,
  wallet: buildWalletApp,
  coupon: buildCouponApp,
  shipping: buildShippingApp,
};

export interface RunningServices {
  /** Base URL of each started service. */
  urls: Partial<Record<ServiceName, string>>;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Migrates and starts the named services in this process, each on its own port, sharing one pool.
 * Port 0 picks a free port (tests). Throws if a migration fails or a port is taken; services that
 * did start are closed again before it throws.
 */
export async function startServices(opts: {
  databaseUrl: string;
  services: { name: ServiceName; host: string; port: number }[];
  logger: Logger;
  poolSize?: number;
}): Promise<RunningServices> {
  await migrate(
    opts.databaseUrl,
    opts.logger,
    opts.services.map((s) => s.name),
  );
  const pool = createPool(opts.databaseUrl, opts.poolSize ?? 20);
  const apps: FastifyInstance[] = [];
  const urls: RunningServices['urls'] = {};
  const close = async () => {
    await Promise.all(apps.map((app) => app.close()));
    await pool.end();
  };
  try {
    for (const s of opts.services) {
      const app = builders[s.name](pool, opts.logger);
      apps.push(app);
      await app.listen({ host: s.host, port: s.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : s.port;
      urls[s.name] = `http://${s.host}:${port}`;
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { urls, pool, close };
}
