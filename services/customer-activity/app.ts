import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { businessId } from '../../contracts/fields';
import type { Pool } from '../shared/db';
import { createServiceApp, parseInput, query } from '../shared/http';
import { activityOf } from './projection';

/**
 * The customer-activity read model over HTTP: `GET /customers/:id/activity` (404 `UnknownCustomer`
 * until an event of theirs arrived) and, with a registry, `GET /metrics` (the consumer's lag,
 * redeliveries and dead letters).
 */
export function buildActivityApp(pool: Pool, logger: Logger, registry?: Registry): FastifyInstance {
  const app = createServiceApp('customer-activity', pool, logger);
  query(app, '/customers/:id/activity', 'UnknownCustomer', (p) => activityOf(pool, parseInput(businessId, p.id)));
  if (registry !== undefined) {
    app.get('/metrics', async (_request, reply) =>
      reply.header('content-type', registry.contentType).send(await registry.metrics()),
    );
  }
  return app;
}
