import type { Charge } from '../services/payments/app';
import { callService, type ServiceClientDeps } from './http';

/** Payments activities. Refusals: `CardDeclined`, `InsufficientFunds`, `AlreadyCharged`, `InvalidRequest`. */
export function createPaymentsActivities(deps: ServiceClientDeps) {
  return {
    async chargeCard(input: {
      chargeId: string;
      orderId: string;
      amountCents: number;
      currency: string;
      cardNumber: string;
      idempotencyKey: string;
    }): Promise<Charge> {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/charges', body, idempotencyKey });
    },
    /** Refunds the charge in full; a no-op when it was never captured. */
    async refundCharge(input: { chargeId: string; idempotencyKey: string }): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: `/charges/${encodeURIComponent(input.chargeId)}/refund`,
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}
