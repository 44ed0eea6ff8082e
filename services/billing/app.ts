import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Pool } from '../shared/db';
import { createServiceApp, mutation, parseInput, query } from '../shared/http';
import { callbackRoutes, type ReceiverOptions } from './callbacks';
import { reportRequest } from '../../contracts/wire/billing';
import { deferredOrders, latestReports, orphanedCallbacks, storeReport } from './reports';
import { retentionReport } from '../../contracts/wire/retention';
import { latestRetentionReports, storeRetentionReport } from './retention';

/**
 * Billing, our own side of payments: `POST /callbacks/gateway` receives the gateway's signed
 * callbacks and hands them to their workflows (see callbacks.ts); `GET /callbacks/orphaned` lists
 * those no workflow took; `POST /reconciliation/reports` stores a reconciliation run's report
 * (idempotent on Idempotency-Key) and `GET /reconciliation/reports?limit=` answers the latest;
 * `POST /retention/reports` and `GET /retention/reports?limit=` do the same for retention runs.
 */
export function buildBillingApp(pool: Pool, logger: Logger, receiver: ReceiverOptions): FastifyInstance {
  const app = createServiceApp('billing', pool, logger);
  callbackRoutes(app, pool, receiver);
  query(app, '/callbacks/orphaned', 'UnknownCallback', () => orphanedCallbacks(pool));
  mutation(
    app,
    { pool, schema: 'billing', url: '/reconciliation/reports', body: reportRequest, status: 201 },
    (c, input) => storeReport(c, input),
  );
  query(app, '/reconciliation/deferred', 'UnknownReport', () => deferredOrders(pool));
  query(app, '/reconciliation/reports', 'UnknownReport', async (_p, q) => {
    const limit = parseInput(z.coerce.number().int().min(1).max(100).default(10), q.limit);
    return latestReports(pool, limit);
  });
  mutation(
    app,
    { pool, schema: 'billing', url: '/retention/reports', body: retentionReport, status: 201 },
    (c, input) => storeRetentionReport(c, input),
  );
  query(app, '/retention/reports', 'UnknownReport', async (_p, q) => {
    const limit = parseInput(z.coerce.number().int().min(1).max(100).default(10), q.limit);
    return latestRetentionReports(pool, limit);
  });
  return app;
}
