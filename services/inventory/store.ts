import { BusinessError } from '../shared/errors';
import type { Pool, PoolClient } from '../shared/db';
import type { Reservation, ReserveRequest, ReturnableItems, StockLine } from '../../contracts/wire/inventory';
import type { StockLevel } from './schema';
import { bySku } from './schema';

export async function getStock(pool: Pool, sku: string): Promise<StockLevel | undefined> {
  const { rows } = await pool.query<StockLevel>(
    'SELECT sku, available, reserved, frozen, sold, stocked FROM inventory.stock WHERE sku = $1',
    [sku],
  );
  return rows[0];
}

export async function setStock(pool: Pool, sku: string, available: number): Promise<StockLevel> {
  const { rows } = await pool.query<StockLevel>(
    `INSERT INTO inventory.stock (sku, available, stocked) VALUES ($1, $2, $2)
     ON CONFLICT (sku) DO UPDATE SET available = EXCLUDED.available, updated_at = now(),
       stocked = EXCLUDED.available + stock.reserved + stock.frozen + stock.sold
     RETURNING sku, available, reserved, frozen, sold, stocked`,
    [sku, available],
  );
  return rows[0]!;
}

async function readReservation(client: PoolClient, reservationId: string): Promise<Reservation | undefined> {
  const { rows } = await client.query<{ status: Reservation['status'] }>(
    'SELECT status FROM inventory.reservations WHERE reservation_id = $1 FOR UPDATE',
    [reservationId],
  );
  if (rows[0] === undefined) return undefined;
  const lines = await client.query<{ sku: string; quantity: number }>(
    'SELECT sku, quantity FROM inventory.reservation_lines WHERE reservation_id = $1 ORDER BY sku COLLATE "C"',
    [reservationId],
  );
  return { reservationId, status: rows[0].status, items: lines.rows };
}

/**
 * Takes every item out of `available` into `reserved`, all or nothing. Each line is one conditional
 * UPDATE (no lock held across calls), in SKU order so concurrent reservations cannot deadlock.
 * Refuses with OutOfStock / UnknownSku, and with ReservationReleased when a release for this id
 * came first. Reserving an id that is already reserved returns it unchanged.
 */
export async function reserve(client: PoolClient, input: ReserveRequest): Promise<Reservation> {
  await client.query(
    `INSERT INTO inventory.reservations (reservation_id, status) VALUES ($1, 'RESERVED') ON CONFLICT DO NOTHING`,
    [input.reservationId],
  );
  const existing = await readReservation(client, input.reservationId);
  if (existing?.status === 'RELEASED') {
    throw new BusinessError('ReservationReleased', `reservation ${input.reservationId} was already released`);
  }
  if (existing !== undefined && existing.items.length > 0) return existing;

  const items = [...input.items].sort(bySku);
  for (const { sku, quantity } of items) {
    const updated = await client.query(
      `UPDATE inventory.stock SET available = available - $2, reserved = reserved + $2, updated_at = now()
       WHERE sku = $1 AND available >= $2`,
      [sku, quantity],
    );
    if (updated.rowCount === 0) {
      const known = await client.query('SELECT available FROM inventory.stock WHERE sku = $1', [sku]);
      if (known.rowCount === 0) throw new BusinessError('UnknownSku', `unknown SKU ${sku}`);
      throw new BusinessError('OutOfStock', `not enough stock of ${sku} for ${quantity}`);
    }
    await client.query('INSERT INTO inventory.reservation_lines (reservation_id, sku, quantity) VALUES ($1, $2, $3)', [
      input.reservationId,
      sku,
      quantity,
    ]);
  }
  return { reservationId: input.reservationId, status: 'RESERVED', items };
}

/**
 * Puts a reservation's items back into `available`. Safe to repeat, and safe before (or without)
 * the reserve: it then records a RELEASED tombstone, changes no stock, and makes a late reserve
 * for the same id a refusal.
 */
export async function release(client: PoolClient, reservationId: string): Promise<Reservation & { returned: boolean }> {
  await client.query(
    `INSERT INTO inventory.reservations (reservation_id, status, released_at) VALUES ($1, 'RELEASED', now())
     ON CONFLICT DO NOTHING`,
    [reservationId],
  );
  const current = await readReservation(client, reservationId);
  if (current === undefined) throw new Error(`reservation ${reservationId} vanished`);
  if (current.status === 'RELEASED') return { ...current, returned: false };
  // Sold belongs to a paid order, which only goes forward: its items come back by a return.
  if (current.status === 'SOLD') {
    throw new BusinessError('ReservationSold', `reservation ${reservationId} was sold; return its items instead`);
  }
  // Items already returned by a refund are back in `available`: release only what is left.
  await moveHeld(client, reservationId, 'available');
  await client.query(
    `UPDATE inventory.reservations SET status = 'RELEASED', released_at = now() WHERE reservation_id = $1`,
    [reservationId],
  );
  return { ...current, status: 'RELEASED', returned: true };
}

/**
 * Moves what a reservation still holds (each line less its returns) out of `reserved` into `to`,
 * line by line in SKU order, so concurrent moves cannot deadlock. The reservation row is locked by
 * the caller.
 */
async function moveHeld(client: PoolClient, reservationId: string, to: 'available' | 'sold'): Promise<void> {
  const left = await client.query<{ sku: string; quantity: number }>(
    `SELECT sku, quantity - returned AS quantity FROM inventory.reservation_lines
     WHERE reservation_id = $1 AND quantity > returned ORDER BY sku COLLATE "C"`,
    [reservationId],
  );
  for (const { sku, quantity } of left.rows) {
    await client.query(
      `UPDATE inventory.stock SET ${to} = ${to} + $2, reserved = reserved - $2, updated_at = now() WHERE sku = $1`,
      [sku, quantity],
    );
  }
}

/**
 * Sells a paid order's reservation: what it still holds (less any returned items) moves from
 * `reserved` to `sold`, once; a sold reservation answers unchanged (`sold: false`). Refuses
 * `ReservationReleased` for a released one and `UnknownReservation` (404) for an unknown id.
 */
export async function sell(client: PoolClient, reservationId: string): Promise<Reservation & { sold: boolean }> {
  const current = await readReservation(client, reservationId); // locks the reservation row
  if (current === undefined) throw new BusinessError('UnknownReservation', `unknown reservation ${reservationId}`, 404);
  if (current.status === 'RELEASED') {
    throw new BusinessError('ReservationReleased', `reservation ${reservationId} was released`);
  }
  if (current.status === 'SOLD') return { ...current, sold: false };
  await moveHeld(client, reservationId, 'sold');
  await client.query(`UPDATE inventory.reservations SET status = 'SOLD', sold_at = now() WHERE reservation_id = $1`, [
    reservationId,
  ]);
  return { ...current, status: 'SOLD', sold: true };
}

/**
 * What a reservation could still take back (each line less its earlier returns), without changing
 * anything: a refund asks before any money moves. Undefined for an unknown reservation.
 */
export async function returnable(pool: Pool, reservationId: string): Promise<ReturnableItems | undefined> {
  const { rows } = await pool.query<{ status: Reservation['status'] }>(
    'SELECT status FROM inventory.reservations WHERE reservation_id = $1',
    [reservationId],
  );
  if (rows[0] === undefined) return undefined;
  const lines = await pool.query<{ sku: string; quantity: number; returned: number }>(
    `SELECT sku, quantity, returned FROM inventory.reservation_lines WHERE reservation_id = $1 ORDER BY sku COLLATE "C"`,
    [reservationId],
  );
  return {
    reservationId,
    status: rows[0].status,
    items: lines.rows.map(({ sku, quantity }) => ({ sku, quantity })),
    returnable:
      rows[0].status === 'RELEASED'
        ? []
        : lines.rows
            .filter((l) => l.quantity > l.returned)
            .map((l) => ({ sku: l.sku, quantity: l.quantity - l.returned })),
  };
}

/**
 * Takes returned items of a (paid) reservation back into `available`, once per return id: a return
 * id seen before answers its first result. The items leave `sold` when the reservation was sold,
 * else `reserved` (orders paid before reservations were sold). Refuses `ReturnExceedsReservation`
 * when an item was not reserved in that quantity (counting earlier returns), and
 * `ReservationReleased` for a released one.
 */
export async function returnItems(
  client: PoolClient,
  reservationId: string,
  input: { returnId: string; items: StockLine[] },
) {
  const current = await readReservation(client, reservationId); // locks the reservation row
  if (current === undefined) throw new BusinessError('UnknownReservation', `unknown reservation ${reservationId}`, 404);
  if (current.status === 'RELEASED') {
    throw new BusinessError('ReservationReleased', `reservation ${reservationId} was released`);
  }
  const seen = await client.query<{ items: { sku: string; quantity: number }[] }>(
    'SELECT items FROM inventory.returns WHERE return_id = $1',
    [input.returnId],
  );
  if (seen.rows[0]) return { reservationId, returnId: input.returnId, items: seen.rows[0].items };
  for (const { sku, quantity } of [...input.items].sort(bySku)) {
    const line = await client.query(
      `UPDATE inventory.reservation_lines SET returned = returned + $3
       WHERE reservation_id = $1 AND sku = $2 AND returned + $3 <= quantity`,
      [reservationId, sku, quantity],
    );
    if (!line.rowCount) {
      throw new BusinessError(
        'ReturnExceedsReservation',
        `reservation ${reservationId} holds fewer than ${quantity} of ${sku}`,
      );
    }
    const from = current.status === 'SOLD' ? 'sold' : 'reserved';
    await client.query(
      `UPDATE inventory.stock SET available = available + $2, ${from} = ${from} - $2, updated_at = now() WHERE sku = $1`,
      [sku, quantity],
    );
  }
  await client.query(`INSERT INTO inventory.returns (return_id, reservation_id, items) VALUES ($1, $2, $3)`, [
    input.returnId,
    reservationId,
    JSON.stringify(input.items),
  ]);
  return { reservationId, returnId: input.returnId, items: input.items };
}
