import { shipment } from '../contracts/wire/shipping';
import { callService, type ServiceClientDeps } from './http';

/** Shipping activities. */
export function createShippingActivities(deps: ServiceClientDeps) {
  return {
    async createShipment(input: {
      shipmentId: string;
      orderId: string;
      items: { sku: string; quantity: number }[];
      idempotencyKey: string;
    }) {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/shipments', body, idempotencyKey }, shipment);
    },
  };
}
