import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Pool, PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';
import { createServiceApp, mutation, parseInput, query, tccRoutes } from '../shared/http';
import { cancelCouponLock, confirmCoupon, tryLockCoupon } from './tcc';
import { businessId } from '../../contracts/fields';
import { couponOrderRequest, couponSeedRequest, lockCouponTccRequest, type Coupon } from '../../contracts/wire/coupon';

async function load(db: Pool | PoolClient, code: string): Promise<Coupon | undefined> {
  const { rows } = await db.query<Coupon>(
    `SELECT code, discount_cents AS "discountCents", status, order_id AS "orderId" FROM coupon.coupons WHERE code = $1`,
    [code],
  );
  return rows[0];
}

/** The coupon row, locked, so a lock and a release for it never interleave. */
const lockRow = (client: PoolClient, code: string) =>
  client.query('SELECT 1 FROM coupon.coupons WHERE code = $1 FOR UPDATE', [code]);

/**
 * Locks a single-use coupon for an order (the same order again: unchanged). Refused with
 * CouponInvalid when unknown or used, and with CouponReleased when this order's release came first.
 */
async function lock(client: PoolClient, code: string, orderId: string): Promise<Coupon> {
  await lockRow(client, code);
  const released = await client.query('SELECT 1 FROM coupon.released_locks WHERE code = $1 AND order_id = $2', [
    code,
    orderId,
  ]);
  if (released.rowCount) throw new BusinessError('CouponReleased', `coupon ${code} was released for ${orderId}`);
  const updated = await client.query(
    `UPDATE coupon.coupons SET status = 'LOCKED', order_id = $2, updated_at = now()
     WHERE code = $1 AND (status = 'AVAILABLE' OR (status = 'LOCKED' AND order_id = $2))`,
    [code, orderId],
  );
  if (updated.rowCount === 0) {
    const coupon = await load(client, code);
    // Redeemed by this very order: the lock already did its work.
    if (coupon?.status === 'REDEEMED' && coupon.orderId === orderId) return coupon;
    throw new BusinessError('CouponInvalid', coupon ? `coupon ${code} is already used` : `unknown coupon ${code}`);
  }
  return (await load(client, code))!;
}

/**
 * Redeems the coupon this order holds locked, once its payment is past the pivot; redeeming it
 * again for the same order answers it unchanged. Refused with CouponNotLocked (409) when the order
 * does not hold it (never locked, released, or held by another order).
 */
async function redeem(client: PoolClient, code: string, orderId: string): Promise<Coupon> {
  await lockRow(client, code);
  await client.query(
    `UPDATE coupon.coupons SET status = 'REDEEMED', updated_at = now()
     WHERE code = $1 AND order_id = $2 AND status = 'LOCKED'`,
    [code, orderId],
  );
  const coupon = await load(client, code);
  if (coupon?.status !== 'REDEEMED' || coupon.orderId !== orderId) {
    throw new BusinessError('CouponNotLocked', `coupon ${code} is not locked for ${orderId}`, 409);
  }
  return coupon;
}

/**
 * Unlocks the coupon if this order holds it locked; otherwise records a tombstone that refuses a
 * late lock. A redeemed coupon stays redeemed: it belongs to a paid order.
 */
async function release(client: PoolClient, code: string, orderId: string) {
  await lockRow(client, code);
  const updated = await client.query(
    `UPDATE coupon.coupons SET status = 'AVAILABLE', order_id = NULL, updated_at = now()
     WHERE code = $1 AND order_id = $2 AND status = 'LOCKED'`,
    [code, orderId],
  );
  if (updated.rowCount === 0) {
    await client.query('INSERT INTO coupon.released_locks (code, order_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
      code,
      orderId,
    ]);
  }
  return { code, released: updated.rowCount === 1 };
}

/** Coupons: `PUT /coupons/:code` (seed), `POST /coupons/:code/lock`, `/redeem`, `/release`, `GET /coupons/:code`. */
export function buildCouponApp(pool: Pool, logger: Logger): FastifyInstance {
  const app = createServiceApp('coupon', pool, logger);
  const base = { pool, schema: 'coupon' };
  const code = (p: Record<string, string>) => parseInput(businessId, p.code);
  app.put<{ Params: { code: string } }>('/coupons/:code', async (request) => {
    const { discountCents } = parseInput(couponSeedRequest, request.body);
    await pool.query(
      `INSERT INTO coupon.coupons (code, discount_cents, status) VALUES ($1, $2, 'AVAILABLE')
       ON CONFLICT (code) DO UPDATE SET discount_cents = EXCLUDED.discount_cents, status = 'AVAILABLE', order_id = NULL`,
      [code(request.params), discountCents],
    );
    return load(pool, code(request.params));
  });
  mutation(app, { ...base, url: '/coupons/:code/lock', body: couponOrderRequest }, (c, i, p) =>
    lock(c, code(p), i.orderId),
  );
  mutation(app, { ...base, url: '/coupons/:code/redeem', body: couponOrderRequest }, (c, i, p) =>
    redeem(c, code(p), i.orderId),
  );
  mutation(app, { ...base, url: '/coupons/:code/release', body: couponOrderRequest }, (c, i, p) =>
    release(c, code(p), i.orderId),
  );
  tccRoutes(
    app,
    { ...base, tryBody: lockCouponTccRequest },
    { try: tryLockCoupon, confirm: confirmCoupon, cancel: cancelCouponLock },
  );
  query(app, '/coupons/:code', 'UnknownCoupon', (p) => load(pool, code(p)));
  return app;
}
