import type { Pool } from '../../services/shared/db';
import type { PaymentSagaInput } from '../../contracts/payment';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { http } from './services';

/** Seeds and reads the participants' state for integration tests, straight from their tables. */
export function shop(pool: () => Pool, url: (name: 'inventory' | 'coupon') => string) {
  return {
    async stock(sku: string, available: number) {
      await http('PUT', `${url('inventory')}/stock/${sku}`, { available });
    },
    async coupon(code: string, discountCents: number) {
      await http('PUT', `${url('coupon')}/coupons/${code}`, { discountCents });
    },
    async stockOf(sku: string) {
      const { rows } = await pool().query('SELECT available, reserved, sold FROM inventory.stock WHERE sku = $1', [
        sku,
      ]);
      return rows[0] as { available: number; reserved: number; sold: number };
    },
    async couponOf(code: string) {
      const { rows } = await pool().query('SELECT status, order_id AS "orderId" FROM coupon.coupons WHERE code = $1', [
        code,
      ]);
      return rows[0] as { status: string; orderId: string | null };
    },
    async orderOf(orderId: string) {
      const { rows } = await pool().query(
        `SELECT status, cancel_reason AS "cancelReason", charge_id AS "chargeId", paid_cents::int AS "paidCents"
         FROM "order".orders WHERE order_id = $1`,
        [orderId],
      );
      return rows[0] as {
        status: string;
        cancelReason: string | null;
        chargeId: string | null;
        paidCents: number | null;
      };
    },
    async chargesOf(orderId: string) {
      const { rows } = await pool().query(
        'SELECT charge_id AS "chargeId", amount_cents::int AS "amountCents", status FROM payments.charges WHERE order_id = $1',
        [orderId],
      );
      return rows as { chargeId: string; amountCents: number; status: string }[];
    },
    async pointsOf(customerId: string) {
      const { rows } = await pool().query(
        'SELECT balance_points::int AS balance FROM wallet.accounts WHERE customer_id = $1',
        [customerId],
      );
      return (rows[0] as { balance: number } | undefined)?.balance ?? 0;
    },
    async shipmentsOf(orderId: string) {
      const { rows } = await pool().query('SELECT status FROM shipping.shipments WHERE order_id = $1', [orderId]);
      return rows as { status: string }[];
    },
    async reservationRows(orderId: string) {
      const { rows } = await pool().query(
        'SELECT sku, quantity FROM inventory.reservation_lines WHERE reservation_id = $1',
        [orderId],
      );
      return rows;
    },
  };
}

/** An order of two lines (2 × 15.00 + 1 × 20.00 = 50.00 EUR) on the given SKUs. */
export function anOrder(
  orderId: string,
  skus: [string, string],
  extra: Partial<PaymentSagaInput> = {},
): PaymentSagaInput {
  return {
    orderId,
    customerId: `cust-${orderId}`,
    currency: 'EUR',
    items: [
      { sku: skus[0], quantity: 2, unitPriceCents: 1500 },
      { sku: skus[1], quantity: 1, unitPriceCents: 2000 },
    ],
    paymentMethod: testPaymentMethods.success,
    ...extra,
  };
}
