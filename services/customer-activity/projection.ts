import { fileURLToPath } from 'node:url';
import type { DomainEvent } from '../../contracts/events';
import type { Pool, PoolClient } from '../shared/db';
import type { SchemaMigrations } from '../shared/migrate';

/** The read model's own schema: its inbox and `customers`. */
export const activitySchema = 'customer_activity';
export const activityMigrations: SchemaMigrations = {
  schema: activitySchema,
  files: [fileURLToPath(new URL('./migrations/*.sql', import.meta.url))],
};
/** The durable consumer that feeds it. */
export const activityConsumer = 'customer-activity';

/** One customer's activity: orders by outcome, money paid and refunded, points balance. */
export interface CustomerActivity {
  customerId: string;
  ordersPlaced: number;
  ordersPaid: number;
  ordersCancelled: number;
  paidCents: number;
  refundedCents: number;
  points: number;
}

type Counts = Omit<CustomerActivity, 'customerId'>;
const zero: Counts = { ordersPlaced: 0, ordersPaid: 0, ordersCancelled: 0, paidCents: 0, refundedCents: 0, points: 0 };

/**
 * What one event adds to its customer's row (undefined for an event about no customer:
 * `stock.changed`, `approval.decided`); every change is a sum, so order between events does not matter.
 */
function delta(event: DomainEvent): { customerId: string; add: Counts } | undefined {
  switch (event.type) {
    case 'order.placed':
      return { customerId: event.data.customerId, add: { ...zero, ordersPlaced: 1 } };
    case 'order.paid':
      return { customerId: event.data.customerId, add: { ...zero, ordersPaid: 1, paidCents: event.data.paidCents } };
    case 'order.cancelled':
      return { customerId: event.data.customerId, add: { ...zero, ordersCancelled: 1 } };
    case 'refund.completed':
      return { customerId: event.data.customerId, add: { ...zero, refundedCents: event.data.amountCents } };
    case 'points.changed':
      return { customerId: event.data.customerId, add: { ...zero, points: event.data.points } };
    case 'stock.changed':
    case 'approval.decided':
      return undefined;
  }
}

/** Applies one event to the read model on the consumer's transaction (see `EventConsumer`). */
export async function applyActivity(db: PoolClient, event: DomainEvent): Promise<void> {
  const change = delta(event);
  if (change === undefined) return;
  const { customerId, add } = change;
  await db.query(
    `INSERT INTO customer_activity.customers AS c
       (customer_id, orders_placed, orders_paid, orders_cancelled, paid_cents, refunded_cents, points)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (customer_id) DO UPDATE SET
       orders_placed = c.orders_placed + EXCLUDED.orders_placed,
       orders_paid = c.orders_paid + EXCLUDED.orders_paid,
       orders_cancelled = c.orders_cancelled + EXCLUDED.orders_cancelled,
       paid_cents = c.paid_cents + EXCLUDED.paid_cents,
       refunded_cents = c.refunded_cents + EXCLUDED.refunded_cents,
       points = c.points + EXCLUDED.points,
       updated_at = now()`,
    [customerId, add.ordersPlaced, add.ordersPaid, add.ordersCancelled, add.paidCents, add.refundedCents, add.points],
  );
}

const columns = `customer_id AS "customerId", orders_placed AS "ordersPlaced", orders_paid AS "ordersPaid",
  orders_cancelled AS "ordersCancelled", paid_cents AS "paidCents", refunded_cents AS "refundedCents", points`;

/** One customer's row, or undefined when no event of theirs arrived yet. */
export async function activityOf(pool: Pool, customerId: string): Promise<CustomerActivity | undefined> {
  const { rows } = await pool.query<CustomerActivity>(
    `SELECT ${columns} FROM customer_activity.customers WHERE customer_id = $1`,
    [customerId],
  );
  return rows[0];
}

/** Every row, by customer id. */
export async function allActivity(pool: Pool): Promise<CustomerActivity[]> {
  return (await pool.query<CustomerActivity>(`SELECT ${columns} FROM customer_activity.customers ORDER BY 1`)).rows;
}
