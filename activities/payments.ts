import { gatewayCharge } from '../contracts/gateway';
import { gatewayRefund, paymentMethod, statement, undoneCharge } from '../contracts/wire/gateway';
import type { PaymentSource } from '../contracts/payment';
import { callService, type ServiceClientDeps } from './http';

/**
 * Payments gateway activities. Refusals: `ChargeVoided`, `AlreadyCharged`, `RefundExceedsCapture`,
 * `ChargeNotCaptured`, `UnknownCharge`, `InvalidRequest`; network errors, timeouts and 5xx are
 * retried (a lost answer is safe: the same Idempotency-Key returns the first one).
 */
export function createPaymentsActivities(deps: ServiceClientDeps) {
  // Cards of runs started before tokens: the vault needs an expiry, which they never carried; the
  // end of next year keeps them chargeable (a test card's token does not depend on it).
  const vault = async (number: string) => {
    const expYear = new Date().getUTCFullYear() + 1;
    const card = { number, expMonth: 12, expYear };
    return (await callService(deps, { method: 'POST', path: '/payment-methods', body: card }, paymentMethod))
      .paymentMethod;
  };
  const charge = (chargeId: string, rest = '') => `/charges/${encodeURIComponent(chargeId)}${rest}`;
  return {
    /**
     * Creates the charge of the payment method's token; it answers PENDING and settles later
     * (callback or `getCharge`). A run started before tokens passes its card number instead, which
     * is vaulted first (`POST /payment-methods`) and charged by its token. Refuses
     * `UnknownPaymentMethod` for a token the vault never issued.
     */
    async chargeCard(
      input: {
        chargeId: string;
        orderId: string;
        /** The workflow id the gateway's callbacks go to (default `payment:<orderId>`). */
        reference?: string;
        amountCents: number;
        currency: string;
        idempotencyKey: string;
      } & PaymentSource,
    ) {
      const { idempotencyKey, ...rest } = input;
      const { chargeId, orderId, reference, amountCents, currency } = rest;
      const token = 'paymentMethod' in rest ? rest.paymentMethod : await vault(rest.cardNumber);
      const body = { chargeId, orderId, reference, amountCents, currency, paymentMethod: token };
      return callService(deps, { method: 'POST', path: '/charges', body, idempotencyKey }, gatewayCharge);
    },
    /** The charge's current state, for polling when no callback came. */
    async getCharge(input: { chargeId: string }) {
      return callService(deps, { method: 'GET', path: charge(input.chargeId) }, gatewayCharge);
    },
    /** Undoes the charge: voids it while pending, refunds what is left once captured, tombstones it if unknown. */
    async refundCharge(input: { chargeId: string; idempotencyKey: string }) {
      return callService(
        deps,
        { method: 'POST', path: charge(input.chargeId, '/refund'), body: {}, idempotencyKey: input.idempotencyKey },
        undoneCharge,
      );
    },
    /**
     * Refunds part of a captured charge (settled later, with a `refund.succeeded` callback to
     * `reference`); all refunds together never exceed the capture (`RefundExceedsCapture`).
     */
    async createRefund(input: {
      chargeId: string;
      refundId: string;
      amountCents: number;
      reference?: string;
      idempotencyKey: string;
    }) {
      const { chargeId, idempotencyKey, ...body } = input;
      return callService(
        deps,
        { method: 'POST', path: charge(chargeId, '/refunds'), body, idempotencyKey },
        gatewayRefund,
      );
    },
    /** A refund's current state, for polling when no callback came. */
    async getRefund(input: { refundId: string }) {
      return callService(
        deps,
        { method: 'GET', path: `/refunds/${encodeURIComponent(input.refundId)}` },
        gatewayRefund,
      );
    },
    /** The gateway's statement of settled captures and refunds in [from, to). */
    async fetchStatement(input: { from: string; to: string }) {
      const q = new URLSearchParams(input);
      return (await callService(deps, { method: 'GET', path: `/statements?${q.toString()}` }, statement)).entries;
    },
  };
}
