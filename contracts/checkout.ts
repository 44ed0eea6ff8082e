import type { z } from 'zod';
import { cents } from './fields';
import { paymentSagaInput } from './payment';

/** A checkout: the order, paid with `walletCents` of stored balance and the card for the rest. */
export const checkoutInput = paymentSagaInput.extend({ walletCents: cents.default(0) });
export type CheckoutInput = z.input<typeof checkoutInput>;

export interface CheckoutResult {
  orderId: string;
  status: 'PAID';
  chargeId: string | null;
  cardCents: number;
  walletCents: number;
  discountCents: number;
  points: number;
}
