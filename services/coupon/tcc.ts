import type { z } from 'zod';
import type { lockCouponTccRequest } from '../../contracts/wire/coupon';
import { barrier, type Branch } from '../shared/barrier';
import type { PoolClient } from '../shared/db';
import { BusinessError } from '../shared/errors';

/** The holder of a TCC lock: the transaction and branch, so a cancel can find what it locked. */
const holder = (b: Branch) => `tcc:${b.gid}:${b.branchId}`;

/** Try: locks an available coupon for this branch and answers its discount; CouponInvalid otherwise. */
export const tryLockCoupon = (client: PoolClient, branch: Branch, input: z.infer<typeof lockCouponTccRequest>) =>
  barrier(client, 'coupon', branch, 'try', async () => {
    const { rows } = await client.query<{ discountCents: number }>(
      `UPDATE coupon.coupons SET status = 'LOCKED', order_id = $2, updated_at = now()
       WHERE code = $1 AND status = 'AVAILABLE' RETURNING discount_cents AS "discountCents"`,
      [input.code, holder(branch)],
    );
    if (rows[0] === undefined)
      throw new BusinessError('CouponInvalid', `coupon ${input.code} is unknown or already used`);
    return { code: input.code, discountCents: rows[0].discountCents };
  });

export const confirmCoupon = (client: PoolClient, branch: Branch) =>
  barrier(client, 'coupon', branch, 'confirm', async () => {
    const updated = await client.query(
      `UPDATE coupon.coupons SET status = 'REDEEMED', updated_at = now() WHERE order_id = $1 AND status = 'LOCKED'`,
      [holder(branch)],
    );
    return { redeemed: updated.rowCount };
  });

export const cancelCouponLock = (client: PoolClient, branch: Branch) =>
  barrier(client, 'coupon', branch, 'cancel', async () => {
    const updated = await client.query(
      `UPDATE coupon.coupons SET status = 'AVAILABLE', order_id = NULL, updated_at = now()
       WHERE order_id = $1 AND status = 'LOCKED'`,
      [holder(branch)],
    );
    return { unlocked: updated.rowCount };
  });
