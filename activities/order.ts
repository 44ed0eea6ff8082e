import type { z } from 'zod';
import { cancelledOrder, order, orderList, type orderLine } from '../contracts/wire/order';
import { callService, type ServiceClientDeps } from './http';

export type OrderLine = z.infer<typeof orderLine>;

/** Order service activities. Refusals: `OrderMismatch`, `OrderCancelled`, `OrderAlreadyPaid`, `UnknownOrder`. */
export function createOrderActivities(deps: ServiceClientDeps) {
  const path = (orderId: string, op: string) => `/orders/${encodeURIComponent(orderId)}/${op}`;
  return {
    /** Creates the order as PENDING, or confirms the stored one matches and is payable. */
    async validateOrder(input: {
      orderId: string;
      customerId: string;
      currency: string;
      items: OrderLine[];
      couponCode?: string;
      /** The workflow id of the paying flow, which claims the order (see the order service). */
      flow?: string;
      idempotencyKey: string;
    }) {
      const { orderId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: path(orderId, 'validate'), body, idempotencyKey }, order);
    },
    /** Cancels a PENDING order with the reason; a no-op when there is no such order. */
    async cancelOrder(input: { orderId: string; reason: string; idempotencyKey: string }) {
      return callService(
        deps,
        {
          method: 'POST',
          path: path(input.orderId, 'cancel'),
          body: { reason: input.reason.slice(0, 2000) },
          idempotencyKey: input.idempotencyKey,
        },
        cancelledOrder,
      );
    },
    /**
     * PENDING → PAID; `chargeId` is the card charge (absent when nothing was charged to a card),
     * `cardCents` the part charged to the card (default: all).
     */
    async markOrderPaid(input: {
      orderId: string;
      chargeId?: string;
      amountCents: number;
      cardCents?: number;
      idempotencyKey: string;
    }) {
      const { orderId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: path(orderId, 'mark-paid'), body, idempotencyKey }, order);
    },
    /** The order as the order service keeps it (`UnknownOrder` when there is none). */
    async getOrder(input: { orderId: string }) {
      return callService(deps, { method: 'GET', path: `/orders/${encodeURIComponent(input.orderId)}` }, order);
    },
    /** Records a refund once per refund id. Refusals: `OrderNotRefundable`, `RefundExceedsCapture`. */
    async recordRefund(input: { orderId: string; refundId: string; amountCents: number; idempotencyKey: string }) {
      const { orderId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: path(orderId, 'refunds'), body, idempotencyKey }, order);
    },
    /** Orders by id, or those paid in [paidFrom, paidTo). */
    async findOrders(input: { ids: string[] } | { paidFrom: string; paidTo: string }) {
      if ('ids' in input && input.ids.length === 0) return [];
      const q = 'ids' in input ? new URLSearchParams({ ids: input.ids.join(',') }) : new URLSearchParams(input);
      return callService(deps, { method: 'GET', path: `/orders?${q.toString()}` }, orderList);
    },
  };
}
