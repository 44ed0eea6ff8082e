import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ChargeStatus, GatewayEvent } from './gateway';

/** What a flow knows of its charges, as the `paymentStatus` query answers it. */
export interface ChargeView {
  chargeId: string;
  status: ChargeStatus;
  sequence: number;
  failureCode?: string | null;
  amountCents: number;
  refundedCents: number;
}

export interface PaymentTransition {
  chargeId: string;
  from: ChargeStatus | 'UNKNOWN';
  to: ChargeStatus;
  source: 'create' | 'callback' | 'poll' | 'undo';
  eventId?: string;
  at: string;
}

export interface PaymentChannelState {
  charges: ChargeView[];
  /** Every change of a charge's status, and what told us. */
  transitions: PaymentTransition[];
  /** Callbacks that changed nothing: a copy of one already applied, or older than what we know. */
  ignored: { eventId: string; reason: 'duplicate' | 'stale' }[];
  /** Refunds this workflow asked for that the gateway settled. */
  settledRefunds: string[];
  polls: number;
}

/** The gateway's callbacks, delivered by the receiver (services/billing). */
export const paymentEventSignal = defineSignal<[GatewayEvent]>('paymentEvent');
export const paymentStatusQuery = defineQuery<PaymentChannelState>('paymentStatus');
