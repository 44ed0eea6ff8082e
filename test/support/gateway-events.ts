import type { GatewayEvent } from '../../contracts/gateway';

/** A gateway `charge.succeeded` callback for `charge:<orderId>`, reporting to `payment:<orderId>`. */
export const chargeSucceeded = (orderId: string, over: Partial<GatewayEvent> = {}): GatewayEvent => ({
  eventId: `evt_${orderId.replace(/[^A-Za-z0-9_-]/g, '_')}_2`,
  type: 'charge.succeeded',
  chargeId: `charge:${orderId}`,
  orderId,
  reference: `payment:${orderId}`,
  sequence: 2,
  status: 'CAPTURED',
  amountCents: 5000,
  refundedCents: 0,
  occurredAt: new Date().toISOString(),
  ...over,
});
