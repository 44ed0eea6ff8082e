import type { z } from 'zod';
import { cents } from './fields';
import { paymentSagaInput, runInput } from './payment';

/** A checkout: the order, paid with `walletCents` of stored balance and the card for the rest. */
export const checkoutInput = paymentSagaInput.extend({ walletCents: cents.default(0) });
export type CheckoutInput = z.input<typeof checkoutInput>;
/** As the checkout workflow parses it (runs started before tokens carry a card; see `runInput`). */
export const checkoutRunInput = runInput(checkoutInput);

export interface CheckoutResult {
  orderId: string;
  status: 'PAID';
  chargeId: string | null;
  cardCents: number;
  walletCents: number;
  discountCents: number;
  points: number;
}
