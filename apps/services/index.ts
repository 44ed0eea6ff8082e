import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig, ServiceName } from '../../config';
import { createPool, type Pool } from '../../services/shared/db';
import { buildApprovalsApp } from '../../services/approvals/app';
import { buildBillingApp } from '../../services/billing/app';
import type { DeliverEvent } from '../../services/billing/callbacks';
import { buildCouponApp } from '../../services/coupon/app';
import { buildInventoryApp } from '../../services/inventory/app';
import { FlashSaleGate } from '../../services/inventory/gate';
import { buildOrderApp } from '../../services/order/app';
import { buildPaymentsApp } from '../../simulators/gateway/app';
import { buildShippingApp } from '../../services/shipping/app';
import { buildWalletApp } from '../../services/wallet/app';
import { migrate } from '../../services/migrations';
import { serviceMigrations } from './migrations';

/** What the gateway simulator and the callback receiver need besides a pool. */
export interface PaymentLinks {
  gateway: Omit<AppConfig['gateway'], 'callbackUrl' | 'timings'> & {
    /** Unset: the billing service started here. */
    callbackUrl?: string;
    timings?: Partial<AppConfig['gateway']['timings']>;
  };
  /** How the receiver hands callbacks to workflows (`temporalDelivery(client)` in production). */
  deliver: DeliverEvent;
  /** The flash-sale gate's Redis and the shard count of new sales; unset: the inventory has no gate. */
  flashSaleGate?: { url: string; shards: number };
}

type Builder = (pool: Pool, logger: Logger, links: PaymentLinks, urls: RunningServices['urls']) => FastifyInstance;

const builders: Record<ServiceName, Builder> = {
  order: buildOrderApp,
  inventory: (pool, logger, { flashSaleGate }) =>
    buildInventoryApp(pool, logger, flashSaleGate && new FlashSaleGate(pool, { ...flashSaleGate, logger })),
  payments: (pool, logger, { gateway }, urls) =>
    buildPaymentsApp(pool, logger, {
      secret: gateway.secret,
      timings: gateway.timings,
      callbackUrl: () => gateway.callbackUrl ?? (urls.billing && `${urls.billing}/callbacks/gateway`),
    }),
  wallet: buildWalletApp,
  coupon: buildCouponApp,
  shipping: buildShippingApp,
  approvals: buildApprovalsApp,
  billing: (pool, logger, { gateway, deliver }) =>
    buildBillingApp(pool, logger, { secret: gateway.secret, toleranceSeconds: gateway.toleranceSeconds, deliver }),
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
  links: PaymentLinks;
  poolSize?: number;
}): Promise<RunningServices> {
  await migrate(opts.databaseUrl, opts.logger, serviceMigrations(opts.services.map((s) => s.name)));
  const pool = createPool(opts.databaseUrl, opts.poolSize ?? 20);
  const apps: FastifyInstance[] = [];
  const urls: RunningServices['urls'] = {};
  const close = async () => {
    await Promise.all(apps.map((app) => app.close()));
    await pool.end();
  };
  try {
    for (const s of opts.services) {
      const app = builders[s.name](pool, opts.logger, opts.links, urls);
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
