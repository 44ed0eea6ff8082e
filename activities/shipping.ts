import { callService, type ServiceClientDeps } from './http';

/** Shipping activities. */
export function createShippingActivities(deps: ServiceClientDeps) {
  return {
    async createShipment(input: {
      shipmentId: string;
      orderId: string;
      items: { sku: string; quantity: number }[];
      idempotencyKey: string;
    }): Promise<{ shipmentId: string; status: string }> {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/shipments', body, idempotencyKey });
    },
    /** Cancels the shipment; a no-op when there is none. */
    async cancelShipment(input: { shipmentId: string; idempotencyKey: string }): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: `/shipments/${encodeURIComponent(input.shipmentId)}/cancel`,
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}
