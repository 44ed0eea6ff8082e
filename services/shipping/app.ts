import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Pool, PoolClient } from '../shared/db';
import { createServiceApp, mutation, parseInput, query } from '../shared/http';
import { businessId, empty } from '../../contracts/fields';
import { shipmentRequest } from '../../contracts/wire/shipping';

const columns = `shipment_id AS "shipmentId", order_id AS "orderId", items, status`;

async function load(db: Pool | PoolClient, shipmentId: string) {
  const { rows } = await db.query(`SELECT ${columns} FROM shipping.shipments WHERE shipment_id = $1`, [shipmentId]);
  return rows[0] as { shipmentId: string; orderId: string; status: string } | undefined;
}

async function create(client: PoolClient, input: z.infer<typeof shipmentRequest>) {
  await client.query(
    `INSERT INTO shipping.shipments (shipment_id, order_id, items, status) VALUES ($1, $2, $3, 'CREATED')
     ON CONFLICT DO NOTHING`,
    [input.shipmentId, input.orderId, JSON.stringify(input.items)],
  );
  return load(client, input.shipmentId);
}

async function cancel(client: PoolClient, shipmentId: string) {
  const updated = await client.query(
    `UPDATE shipping.shipments SET status = 'CANCELLED' WHERE shipment_id = $1 AND status = 'CREATED'`,
    [shipmentId],
  );
  return { shipmentId, cancelled: updated.rowCount === 1 };
}

/** Shipping: `POST /shipments`, `POST /shipments/:id/cancel` (a no-op when unknown), `GET /shipments/:id`. */
export function buildShippingApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('shipping', pool, logger);
  const base = { pool, schema: 'shipping' };
  const id = (p: Record<string, string>) => parseInput(businessId, p.id);
  mutation(app, { ...base, url: '/shipments', body: shipmentRequest, status: 201 }, (c, input) => create(c, input));
  mutation(app, { ...base, url: '/shipments/:id/cancel', body: empty }, (c, _i, p) => cancel(c, id(p)));
  query(app, '/shipments/:id', 'UnknownShipment', (p) => load(pool, id(p)));
  return app;
}
