import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Pool } from '../shared/db';
import { createServiceApp, mutation, parseInput, query, tccRoutes } from '../shared/http';
import { empty } from '../../contracts/fields';
import { businessId, sku } from '../../contracts/fields';
import { freezeRequest, reserveRequest, returnRequest, stockLevelRequest } from '../../contracts/wire/inventory';
import { getStock, release, reserve, returnable, returnItems, sell, setStock } from './store';
import { cancelFrozen, confirmFrozen, tryFreeze } from './tcc';

/**
 * The inventory service: stock levels per SKU and all-or-nothing reservations.
 * - `PUT /stock/:sku` sets the available quantity (operator and test seeding);
 * - `GET /stock/:sku` reads it;
 * - `POST /reservations` reserves items (idempotent on Idempotency-Key);
 * - `POST /reservations/:id/release` returns them (idempotent; a no-op for an unknown id);
 * - `POST /reservations/:id/sell` sells a paid order's reservation (reserved → sold, once);
 * - `GET /reservations/:id/returnable` says what a refund could still return, changing nothing;
 * - `POST /reservations/:id/returns` takes items of a paid order back into stock (refunds);
 * - `POST /tcc/:gid/branches/:branch/try|confirm|cancel`: a TCC branch through the barrier.
 */
export function buildInventoryApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('inventory', pool, logger);
  const base = { pool, schema: 'inventory' };

  app.put<{ Params: { sku: string } }>('/stock/:sku', async (request) => {
    const id = parseInput(sku, request.params.sku);
    const { available } = parseInput(stockLevelRequest, request.body);
    return setStock(pool, id, available);
  });
  query(app, '/stock/:sku', 'UnknownSku', (p) => getStock(pool, parseInput(sku, p.sku)));

  mutation(app, { ...base, url: '/reservations', body: reserveRequest, status: 201 }, (client, input) =>
    reserve(client, input),
  );
  mutation(app, { ...base, url: '/reservations/:id/release', body: empty }, (client, _input, p) =>
    release(client, parseInput(businessId, p.id)),
  );

  mutation(app, { ...base, url: '/reservations/:id/sell', body: empty }, (client, _input, p) =>
    sell(client, parseInput(businessId, p.id)),
  );

  query(app, '/reservations/:id/returnable', 'UnknownReservation', (p) =>
    returnable(pool, parseInput(businessId, p.id)),
  );
  mutation(app, { ...base, url: '/reservations/:id/returns', body: returnRequest, status: 201 }, (client, input, p) =>
    returnItems(client, parseInput(businessId, p.id), input),
  );

  // TCC branch of a global transaction: try freezes, confirm sells, cancel unfreezes.
  tccRoutes(app, { ...base, tryBody: freezeRequest }, { try: tryFreeze, confirm: confirmFrozen, cancel: cancelFrozen });
  return app;
}
