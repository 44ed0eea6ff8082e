import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Pool, PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { createServiceApp, mutation, parseInput, query } from '../shared/http';
import { businessId, empty } from '../../contracts/fields';
import { requestHash } from '../../contracts/request-hash';
import { shipmentRequest } from '../../contracts/wire/shipping';

const columns = `shipment_id AS "shipmentId", order_id AS "orderId", items, status`;

type Shipment = { shipmentId: string; orderId: string; items: unknown; status: string };

async function load(db: Pool | PoolClient, shipmentId: string): Promise<Shipment | undefined> {
  const { rows } = await db.query<Shipment>(`SELECT ${columns} FROM shipping.shipments WHERE shipment_id = $1`, [
    shipmentId,
  ]);
  return rows[0];
}

/**
 * Creates the order's one shipment, or answers the same shipment again. Refuses with 409
 * `ShipmentExists` when the order already has a shipment under another id, and with 409
 * `ShipmentMismatch` when this id is stored with another order or other items.
 */
async function create(client: PoolClient, input: z.infer<typeof shipmentRequest>) {
  // Waits on either unique index for a concurrent insert, so the read below sees its row.
  await client.query(
    `INSERT INTO shipping.shipments (shipment_id, order_id, items, status) VALUES ($1, $2, $3, 'CREATED')
     ON CONFLICT DO NOTHING`,
    [input.shipmentId, input.orderId, JSON.stringify(input.items)],
  );
  const { rows } = await client.query<Shipment>(
    `SELECT ${columns} FROM shipping.shipments WHERE shipment_id = $1 OR order_id = $2`,
    [input.shipmentId, input.orderId],
  );
  const stored = rows.find((r) => r.shipmentId === input.shipmentId);
  if (stored === undefined) {
    const other = rows[0]?.shipmentId ?? 'unknown';
    throw new BusinessError('ShipmentExists', `order ${input.orderId} already has shipment ${other}`, 409);
  }
  if (stored.orderId !== input.orderId || requestHash(stored.items) !== requestHash(input.items)) {
    throw new BusinessError('ShipmentMismatch', `shipment ${input.shipmentId} exists with other contents`, 409);
  }
  return stored;
}

async function cancel(client: PoolClient, shipmentId: string) {
  const updated = await client.query(
    `UPDATE shipping.shipments SET status = 'CANCELLED' WHERE shipment_id = $1 AND status = 'CREATED'`,
    [shipmentId],
  );
  return { shipmentId, cancelled: updated.rowCount === 1 };
}

/** Shipping: `POST /shipments` (one per order), `POST /shipments/:id/cancel` (a no-op when unknown), `GET /shipments/:id`. */
export function buildShippingApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('shipping', pool, logger);
  const base = { pool, schema: 'shipping' };
  const id = (p: Record<string, string>) => parseInput(businessId, p.id);
  mutation(app, { ...base, url: '/shipments', body: shipmentRequest, status: 201 }, (c, input) => create(c, input));
  mutation(app, { ...base, url: '/shipments/:id/cancel', body: empty }, (c, _i, p) => cancel(c, id(p)));
  query(app, '/shipments/:id', 'UnknownShipment', (p) => load(pool, id(p)));
  return app;
}
