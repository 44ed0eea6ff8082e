import type { Order } from '../services/order/app';
import { callService, type ServiceClientDeps } from './http';

export interface OrderLine {
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

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
      idempotencyKey: string;
    }): Promise<Order> {
      const { orderId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: path(orderId, 'validate'), body, idempotencyKey });
    },
    /** Cancels a PENDING order with the reason; a no-op when there is no such order. */
    async cancelOrder(input: { orderId: string; reason: string; idempotencyKey: string }): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: path(input.orderId, 'cancel'),
        body: { reason: input.reason.slice(0, 2000) },
        idempotencyKey: input.idempotencyKey,
      });
    },
    /** PENDING → PAID with the charge; `cardCents` is the part charged to the card (default: all). */
    async markOrderPaid(input: {
      orderId: string;
      chargeId: string;
      amountCents: number;
      cardCents?: number;
      idempotencyKey: string;
    }): Promise<Order> {
      const { orderId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: path(orderId, 'mark-paid'), body, idempotencyKey });
    },
    /** The order as the order service keeps it (`UnknownOrder` when there is none). */
    async getOrder(input: { orderId: string }): Promise<Order> {
      return callService(deps, { method: 'GET', path: `/orders/${encodeURIComponent(input.orderId)}` });
    },
    /** Records a refund once per refund id. Refusals: `OrderNotRefundable`, `RefundExceedsCapture`. */
    async recordRefund(input: {
      orderId: string;
      refundId: string;
      amountCents: number;
      idempotencyKey: string;
    }): Promise<Order> {
      const { orderId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: path(orderId, 'refunds'), body, idempotencyKey });
    },
    /** Orders by id, or those paid in [paidFrom, paidTo). */
    async findOrders(input: { ids: string[] } | { paidFrom: string; paidTo: string }): Promise<Order[]> {
      if ('ids' in input && input.ids.length === 0) return [];
      const q = 'ids' in input ? new URLSearchParams({ ids: input.ids.join(',') }) : new URLSearchParams(input);
      return callService(deps, { method: 'GET', path: `/orders?${q.toString()}` });
    },
  };
}
