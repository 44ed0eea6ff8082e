import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig, ServiceName } from '../../config';
import { createPool, type Pool } from '../../services/shared/db';
import { buildApprovalsApp } from '../../services/approvals/app';
import { buildBillingApp } from '../../services/billing/app';
import { gatewayCallbackRoute, type DeliverEvent } from '../../services/billing/callbacks';
import { requireCallers } from '../../services/shared/auth';
import { retentionRoute, type RetentionStep } from '../../services/shared/retention';
import { settledCallbacks } from '../../services/billing/retention';
import type { RetentionTable } from '../../contracts/retention';
import { callersOf, type ServiceTokensFile } from '../../config/service-tokens';
import { buildCouponApp } from '../../services/coupon/app';
import { buildInventoryApp } from '../../services/inventory/app';
import { FlashSaleGate } from '../../services/inventory/gate';
import { buildOrderApp } from '../../services/order/app';
import type { OutboxSealer } from '../../services/order/outbox';
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
  /** How the order service keeps its outbox payloads (default: as given). */
  outbox?: OutboxSealer;
  /** The flash-sale gate's Redis and the shard count of new sales; unset: the inventory has no gate. */
  flashSaleGate?: { url: string; shards: number };
}

type Builder = (pool: Pool, logger: Logger, links: PaymentLinks, urls: RunningServices['urls']) => FastifyInstance;

const builders: Record<ServiceName, Builder> = {
  order: (pool, logger, { outbox }) => buildOrderApp(pool, logger, outbox),
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

/** Routes that check a credential of their own instead of a service token. */
const selfAuthenticated: Partial<Record<ServiceName, string[]>> = { billing: [gatewayCallbackRoute] };

/** Tables a service trims besides its idempotency keys and barrier rows (see `retentionRoute`). */
const retainedTables: Partial<Record<ServiceName, Partial<Record<RetentionTable, RetentionStep>>>> = {
  billing: { callbacks: settledCallbacks },
};

export interface RunningServices {
  /** Base URL of each started service. */
  urls: Partial<Record<ServiceName, string>>;
  pool: Pool;
  close(): Promise<void>;
}

/**
 * Migrates and starts the named services in this process, each on its own port, sharing one pool,
 * each accepting only the callers `tokens` allows it (see `requireCallers`; `/health` and the
 * gateway's signed callbacks stay open) and trimming its tables on `POST /retention`. Port 0 picks
 * a free port (tests). Throws if a migration fails or a port is taken; services that did start are
 * closed again before it throws.
 */
export async function startServices(opts: {
  databaseUrl: string;
  services: { name: ServiceName; host: string; port: number }[];
  logger: Logger;
  links: PaymentLinks;
  tokens: ServiceTokensFile;
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
      // Each service's schema is named after it.
      retentionRoute(app, { pool, schema: s.name, extra: retainedTables[s.name] ?? {} });
      requireCallers(app, callersOf(opts.tokens, s.name), selfAuthenticated[s.name]);
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
