import { z } from 'zod';
import { businessId, eachSkuOnce, eachSkuOnceMessage, quantity, sku } from '../fields';

/** The shipping service's wire: `POST /shipments`, `GET /shipments/:id`. */

export const shipmentRequest = z.object({
  shipmentId: businessId,
  orderId: businessId,
  items: z
    .array(z.object({ sku, quantity }))
    .min(1, 'must list at least one item')
    .max(50, 'must list at most 50 items')
    .refine(eachSkuOnce, eachSkuOnceMessage),
});

export const shipment = z.object({
  shipmentId: z.string(),
  orderId: z.string(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
  status: z.enum(['CREATED', 'CANCELLED']),
});
