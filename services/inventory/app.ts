import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Pool } from '../shared/db';
import { createServiceApp, mutation, parseInput, query, tccRoutes } from '../shared/http';
import { empty } from '../../contracts/fields';
import { businessId, sku } from '../../contracts/fields';
import {
  admissionRequest,
  flashSaleRequest,
  freezeRequest,
  reserveRequest,
  returnRequest,
  stockLevelRequest,
} from '../../contracts/wire/inventory';
import { TransientError } from '../shared/errors';
import type { FlashSaleGate } from './gate';
import { listSales } from './flash-sale';
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
 * - `POST /tcc/:gid/branches/:branch/try|confirm|cancel`: a TCC branch through the barrier;
 * - `PUT /flash-sales/:sku` opens a flash sale (stock, per-buyer limit, gate loaded);
 * - `POST /flash-sales/:sku/admissions` is one buyer's attempt at the gate (201, 422 `OutOfStock` or
 *   `BuyerLimitReached`, 503 `GateUnavailable`: try again), never touching PostgreSQL once the
 *   sale is known; `POST /flash-sales/:sku/admissions/:orderId/return` gives a unit back, once;
 * - `GET /flash-sales` lists the sales; `GET /flash-sales/:sku/gate` compares the gate with the database, `POST .../gate/rebuild`
 *   loads it again from the database.
 * Without a gate (no Redis configured) the flash-sale routes answer 503 `GateUnavailable`.
 */
export function buildInventoryApp(pool: Pool, logger: Logger, gate?: FlashSaleGate): FastifyInstance {
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
  flashSaleRoutes(app, pool, gate);
  return app;
}

function flashSaleRoutes(app: FastifyInstance, pool: Pool, gate: FlashSaleGate | undefined): void {
  const theGate = (): FlashSaleGate => {
    if (gate === undefined)
      throw new TransientError('GateUnavailable', 'this inventory service has no flash-sale gate');
    return gate;
  };
  if (gate) app.addHook('onClose', () => gate.close());
  type Params = { Params: { sku: string; orderId?: string } };
  app.put<Params>('/flash-sales/:sku', async (request) => {
    const id = parseInput(sku, request.params.sku);
    const { units, perBuyerLimit } = parseInput(flashSaleRequest, request.body);
    return theGate().open(id, units, perBuyerLimit);
  });
  app.post<Params>('/flash-sales/:sku/admissions', async (request, reply) => {
    const id = parseInput(sku, request.params.sku);
    const attempt = parseInput(admissionRequest, request.body);
    return reply.status(201).send(await theGate().admit(id, attempt));
  });
  app.post<Params>('/flash-sales/:sku/admissions/:orderId/return', async (request) => {
    const id = parseInput(sku, request.params.sku);
    const orderId = parseInput(businessId, request.params.orderId);
    const { buyerId } = parseInput(admissionRequest.pick({ buyerId: true }), request.body);
    return { orderId, returned: await theGate().giveBack(id, buyerId, orderId) };
  });
  app.get('/flash-sales', () => listSales(pool));
  app.get<Params>('/flash-sales/:sku/gate', async (request) => theGate().report(parseInput(sku, request.params.sku)));
  app.post<Params>('/flash-sales/:sku/gate/rebuild', async (request) =>
    theGate().rebuild(parseInput(sku, request.params.sku)),
  );
}
