import { z } from 'zod';
import { approvalDecisionShape } from './approval';
import { businessId, cents, currency, derivedId, positiveCents, sku } from './fields';

/**
 * Domain events: business changes other systems must hear, written to the owning service's
 * events outbox in the same transaction as the change and published to NATS JetStream. Each has a
 * `type`, a `version` (a new shape is a new version beside the old one, never an edit of it) and
 * the id of its aggregate, which its subject carries so a consumer can keep order per aggregate.
 */

const occurredAt = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' });

/** What every event carries besides its data. `id` is the outbox row's id and the broker's `Nats-Msg-Id`. */
const envelope = { id: z.uuid({ error: 'must be a UUID' }), aggregateId: derivedId, occurredAt };

const event = <T extends string, D extends z.ZodRawShape>(type: T, data: D) =>
  z.object({ ...envelope, type: z.literal(type), version: z.literal(1), data: z.object(data).strict() }).strict();

export const orderPlacedV1 = event('order.placed', {
  orderId: businessId,
  customerId: businessId,
  currency,
  subtotalCents: cents,
});
export const orderPaidV1 = event('order.paid', {
  orderId: businessId,
  customerId: businessId,
  currency,
  paidCents: cents,
  cardCents: cents,
});
export const orderCancelledV1 = event('order.cancelled', {
  orderId: businessId,
  customerId: businessId,
  reason: z.string().min(1).max(2000),
});
export const refundCompletedV1 = event('refund.completed', {
  orderId: businessId,
  customerId: businessId,
  refundId: businessId,
  amountCents: positiveCents,
});
/** Points awarded (positive) or taken back (negative) on a customer's wallet, once per entry. */
export const pointsChangedV1 = event('points.changed', {
  customerId: businessId,
  orderId: businessId,
  entryId: businessId,
  points: z.number().int().min(-1e15).max(1e15),
});
/**
 * A SKU's stock levels after a change (a reservation, a sale, a return, a freeze, a restock): every
 * count as it now is, so a consumer keeps the latest per SKU and never adds up deltas.
 */
const level = z.number().int().min(0);
export const stockChangedV1 = event('stock.changed', {
  sku,
  available: level,
  reserved: level,
  frozen: level,
  sold: level,
  stocked: level,
});

/** An approval request closed: approved, rejected, withdrawn or expired, and by whom. */
export const approvalDecidedV1 = event('approval.decided', approvalDecisionShape);

export const domainEvent = z.discriminatedUnion('type', [
  orderPlacedV1,
  orderPaidV1,
  orderCancelledV1,
  refundCompletedV1,
  pointsChangedV1,
  stockChangedV1,
  approvalDecidedV1,
]);
export type DomainEvent = z.infer<typeof domainEvent>;
export type EventType = DomainEvent['type'];
/** An event as a service records it: the outbox gives it its id and time. */
export type NewEvent = DomainEvent extends infer E
  ? E extends DomainEvent
    ? Omit<E, 'id' | 'occurredAt'>
    : never
  : never;

/** The aggregate each event type belongs to: the subject's second token. */
export const eventAggregates: Record<EventType, string> = {
  'order.placed': 'order',
  'order.paid': 'order',
  'order.cancelled': 'order',
  'refund.completed': 'order',
  'points.changed': 'customer',
  'stock.changed': 'stock',
  'approval.decided': 'approval',
};

/** Every subject starts with this; the events stream holds `shop.>`. */
export const eventSubjectRoot = 'shop';

/** A subject token may not hold `.`, `*`, `>` or whitespace: ids with a dot keep it as `%2E`. */
export const subjectToken = (id: string): string => id.replaceAll('.', '%2E');

/** `shop.<aggregate>.<aggregateId>.<type>`, e.g. `shop.order.o-1.order.paid`. */
export function eventSubject(e: Pick<DomainEvent, 'type' | 'aggregateId'>): string {
  return `${eventSubjectRoot}.${eventAggregates[e.type]}.${subjectToken(e.aggregateId)}.${e.type}`;
}
