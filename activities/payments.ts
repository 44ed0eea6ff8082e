import type { GatewayCharge } from '../contracts/gateway';
import type { StatementEntry } from '../simulators/gateway/app';
import type { GatewayRefund } from '../simulators/gateway/store';
import { callService, type ServiceClientDeps } from './http';

/** What undoing a charge answers: the charge as it now is, or a tombstone for one never made. */
export type UndoneCharge = GatewayCharge | { chargeId: string; status: 'VOIDED'; existed: false };

/**
 * Payments gateway activities. Refusals: `ChargeVoided`, `AlreadyCharged`, `RefundExceedsCapture`,
 * `ChargeNotCaptured`, `UnknownCharge`, `InvalidRequest`; network errors, timeouts and 5xx are
 * retried (a lost answer is safe: the same Idempotency-Key returns the first one).
 */
export function createPaymentsActivities(deps: ServiceClientDeps) {
  const charge = (chargeId: string, rest = '') => `/charges/${encodeURIComponent(chargeId)}${rest}`;
  return {
    /** Creates the charge; it answers PENDING and settles later (callback or `getCharge`). */
    async chargeCard(input: {
      chargeId: string;
      orderId: string;
      /** The workflow id the gateway's callbacks go to (default `payment:<orderId>`). */
      reference?: string;
      amountCents: number;
      currency: string;
      cardNumber: string;
      idempotencyKey: string;
    }): Promise<GatewayCharge> {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/charges', body, idempotencyKey });
    },
    /** The charge's current state, for polling when no callback came. */
    async getCharge(input: { chargeId: string }): Promise<GatewayCharge> {
      return callService(deps, { method: 'GET', path: charge(input.chargeId) });
    },
    /** Undoes the charge: voids it while pending, refunds what is left once captured, tombstones it if unknown. */
    async refundCharge(input: { chargeId: string; idempotencyKey: string }): Promise<UndoneCharge> {
      return callService(deps, {
        method: 'POST',
        path: charge(input.chargeId, '/refund'),
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
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
    }): Promise<GatewayRefund> {
      const { chargeId, idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: charge(chargeId, '/refunds'), body, idempotencyKey });
    },
    /** A refund's current state, for polling when no callback came. */
    async getRefund(input: { refundId: string }): Promise<GatewayRefund> {
      return callService(deps, { method: 'GET', path: `/refunds/${encodeURIComponent(input.refundId)}` });
    },
    /** The gateway's statement of settled captures and refunds in [from, to). */
    async fetchStatement(input: { from: string; to: string }): Promise<StatementEntry[]> {
      const q = new URLSearchParams(input);
      const answer = await callService<{ entries: StatementEntry[] }>(deps, {
        method: 'GET',
        path: `/statements?${q.toString()}`,
      });
      return answer.entries;
    },
  };
}
