import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Pool } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { createServiceApp, idempotencyKey, parseInput } from '../shared/http';
import { idempotent } from '../shared/idempotency';
import { businessId, reserveInput, sku, stockLevelInput } from './schema';
import { getStock, release, reserve, setStock } from './store';

/**
 * The inventory service: stock levels per SKU and all-or-nothing reservations.
 * - `PUT /stock/:sku` sets the available quantity (operator and test seeding);
 * - `GET /stock/:sku` reads it;
 * - `POST /reservations` reserves items (idempotent on Idempotency-Key);
 * - `POST /reservations/:id/release` returns them (idempotent; a no-op for an unknown id).
 */
export function buildInventoryApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('inventory', pool, logger);

  app.put<{ Params: { sku: string } }>('/stock/:sku', async (request) => {
    const id = parseInput(sku, request.params.sku);
    const { available } = parseInput(stockLevelInput, request.body);
    return setStock(pool, id, available);
  });

  app.get<{ Params: { sku: string } }>('/stock/:sku', async (request) => {
    const level = await getStock(pool, parseInput(sku, request.params.sku));
    if (level === undefined) throw new BusinessError('UnknownSku', `unknown SKU ${request.params.sku}`, 404);
    return level;
  });

  app.post('/reservations', async (request, reply) => {
    const key = idempotencyKey(request);
    const input = parseInput(reserveInput, request.body);
    const response = await idempotent(pool, 'inventory', key, input, async (client) => ({
      status: 201,
      body: await reserve(client, input),
    }));
    return reply.status(response.status).send(response.body);
  });

  app.post<{ Params: { id: string } }>('/reservations/:id/release', async (request, reply) => {
    const key = idempotencyKey(request);
    const reservationId = parseInput(businessId, request.params.id);
    const response = await idempotent(pool, 'inventory', key, { reservationId }, async (client) => ({
      status: 200,
      body: await release(client, reservationId),
    }));
    return reply.status(response.status).send(response.body);
  });

  return app;
}
