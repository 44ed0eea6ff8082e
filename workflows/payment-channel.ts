import {
  ApplicationFailure,
  condition,
  isCancellation,
  log,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { isSettled } from '../contracts/gateway';
import type { PaymentSource } from '../contracts/payment';
import {
  paymentEventSignal,
  paymentStatusQuery,
  type ChargeView,
  type PaymentChannelState,
  type PaymentTransition,
} from '../contracts/payment-channel';
import type { Activities } from '../activities';
import { within } from './deadline';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { describeError, durationMs, outcomeUnknown, type Saga } from './saga';

export { paymentEventSignal, paymentStatusQuery, type ChargeView, type PaymentChannelState, type PaymentTransition };

/** How a flow waits for the gateway. Durations are inputs so tests can run them in skipped time. */
export interface PaymentWaitOptions {
  /** How long to wait for the callback before asking the gateway (default 30 s). */
  callbackTimeout?: Duration;
  /** Status polling backoff: doubles from `initial`, capped at `max` (default 1 s to 1 min). */
  poll?: { initial: Duration; max: Duration };
  /** From the workflow's start: an order not paid by then is cancelled (default 15 minutes). */
  unpaidDeadline?: Duration;
}

export type CardCharge = {
  chargeId: string;
  orderId: string;
  amountCents: number;
  currency: string;
} & PaymentSource;

/** The patch that brought callbacks, polling and the unpaid deadline to the charge step. */
export const asyncGatewayPatch = 'async-gateway-callbacks';

/** The patch that checks the unpaid deadline before creating a charge, so no money moves past it. */
export const deadlineBeforeChargePatch = 'unpaid-deadline-before-charge';

/**
 * The patch that lets the charge's undo run on its own: the order, its stock and its coupon are
 * released at once, and only the money waits for a gateway that cannot stop a pending charge.
 */
export const detachedChargeUndoPatch = 'detached-charge-undo';

/**
 * The patch that retries the steps before the charge through any transient fault until the unpaid
 * deadline, instead of failing them after a fixed number of attempts.
 */
export const transientUntilDeadlinePatch = 'transient-until-deadline';

/** What the unpaid deadline's timer says in the event history while `step` runs under it. */
export const unpaidDeadlineSummary = (step: string) => `Unpaid deadline: cancel order if not paid (during ${step})`;

const settledStatus = (c: ChargeView | undefined) => c !== undefined && isSettled(c.status);

/**
 * A workflow's line to the payments gateway: applies callbacks (signal) and status answers in
 * sequence order, each event at most once, and waits for a charge to settle: first for the
 * callback, then by polling with backoff. One per workflow.
 */
export class PaymentChannel {
  private readonly act: Activities;
  /** The gateway's charge calls, retried through transient faults until the deadline or the undo ends. */
  private readonly gateway: Activities;
  private readonly undo: Activities;
  private readonly charges = new Map<string, ChargeView>();
  private readonly seen = new Set<string>();
  private readonly transitions: PaymentTransition[] = [];
  private readonly ignored: PaymentChannelState['ignored'] = [];
  private readonly settledRefunds = new Set<string>();
  private polls = 0;

  constructor(
    private readonly options: PaymentWaitOptions = {},
    calls: { local?: boolean } = {},
  ) {
    this.act = narratedActivities(presets.serviceCall, calls);
    this.gateway = narratedActivities(presets.untilDeadline, calls);
    this.undo = narratedActivities(presets.compensation, calls);
    setHandler(paymentEventSignal, (event) => {
      if (event.type !== 'refund.succeeded') return this.apply(event, 'callback', event.eventId);
      // A refund's event: `amountCents` is the refund's; the charge keeps its own amount.
      if (event.refundId !== undefined && !this.seen.has(event.eventId)) this.settledRefunds.add(event.refundId);
      const amountCents = this.charges.get(event.chargeId)?.amountCents ?? event.amountCents;
      this.apply({ ...event, amountCents }, 'callback', event.eventId);
    });
    setHandler(paymentStatusQuery, () => ({
      charges: [...this.charges.values()],
      transitions: this.transitions,
      ignored: this.ignored,
      settledRefunds: [...this.settledRefunds],
      polls: this.polls,
    }));
  }

  /**
   * The charge-card step, the pivot: creates the charge and waits until it settles, all before the
   * unpaid deadline. A declined charge is a refusal (nothing to undo); a deadline that passes while
   * the charge is awaited fails with `UnpaidDeadline` and the charge is undone with the rest of the
   * saga; a deadline already past when the step starts fails with `UnpaidDeadline` at once, as a
   * refusal: no charge is created, so there is none to undo. The undo is detached: the rest of the
   * unwind (coupon, stock, the order's cancel) does not wait for a charge the gateway cannot void
   * while pending; that charge is refunded once it settles, and the saga ends after that.
   */
  chargeStep(saga: Saga, charge: CardCharge, key: (step: string) => string): Promise<ChargeView> {
    return saga.step('charge-card', () => this.chargeBeforeDeadline(charge, key('charge-card')), {
      pivot: true,
      compensate: () => this.undoCharge(charge.chargeId, key),
      // Runs from before the patch unwound the charge first and waited for it.
      detachedCompensation: () => patched(detachedChargeUndoPatch),
    });
  }

  /**
   * Runs a step before the pivot within the unpaid deadline: its calls retry transient faults for
   * as long as the deadline allows, and only a refusal or the deadline fails it. Already past the
   * deadline, it fails with `UnpaidDeadline` at once, as a refusal (nothing was called, nothing to
   * undo); when the deadline passes while it runs, it is cancelled and fails with `UnpaidDeadline`
   * as an outcome unknown, so the saga undoes it too.
   */
  async beforeDeadline<T>(step: string, work: () => Promise<T>): Promise<T> {
    // Runs started before gave up after the preset's attempts, with no deadline timer here.
    if (!patched(transientUntilDeadlinePatch)) return work();
    const limitMs = durationMs(this.options.unpaidDeadline ?? '15 minutes');
    const left = workflowInfo().startTime.getTime() + limitMs - Date.now();
    const late = `order not paid within ${limitMs / 1000} s of its start`;
    if (left <= 0) {
      throw ApplicationFailure.create({
        type: 'UnpaidDeadline',
        message: `${late}; the deadline passed before ${step}, not called`,
        nonRetryable: true,
      });
    }
    return within(
      left,
      work,
      () => outcomeUnknown('UnpaidDeadline', `${late}; ${step} was still retrying`),
      unpaidDeadlineSummary(step),
    );
  }

  private async chargeBeforeDeadline(charge: CardCharge, idempotencyKey: string): Promise<ChargeView> {
    // Runs started before the gateway answered asynchronously took its answer as final, with no
    // deadline timer; they keep that path (see "Versioning" in the README).
    if (!patched(asyncGatewayPatch)) {
      return this.settle(await this.create(charge, idempotencyKey, false), charge.chargeId);
    }
    const limitMs = durationMs(this.options.unpaidDeadline ?? '15 minutes');
    const left = workflowInfo().startTime.getTime() + limitMs - Date.now();
    // Held past the deadline before the step began (a worker outage, a backlog): a charge created
    // now would race a timer that is already due, and could capture for an order given up.
    if (left <= 0 && patched(deadlineBeforeChargePatch)) {
      throw ApplicationFailure.create({
        type: 'UnpaidDeadline',
        message: `order not paid within ${limitMs / 1000} s of its start; the deadline passed before the charge, no charge created`,
        nonRetryable: true,
      });
    }
    return within(
      left,
      async () => {
        await this.create(charge, idempotencyKey);
        return this.settle(await this.awaitSettled(charge.chargeId), charge.chargeId);
      },
      () => outcomeUnknown('UnpaidDeadline', `order not paid within ${limitMs / 1000} s of its start`),
      unpaidDeadlineSummary('charge-card'),
    );
  }

  /** Creates the charge; `withReference` false sends the body runs before the patch sent, key for key. */
  private async create(charge: CardCharge, idempotencyKey: string, withReference = true): Promise<ChargeView> {
    const reference = withReference ? { reference: workflowInfo().workflowId } : {};
    const created = await this.gateway.chargeCard({ ...charge, ...reference, idempotencyKey });
    this.apply(created, 'create');
    return this.charges.get(charge.chargeId)!;
  }

  /**
   * A captured charge is the answer; any other final state is the gateway's refusal. A charge still
   * pending (only on the pre-patch path, which cannot wait) may yet be captured: it is undone.
   */
  private settle(final: ChargeView, chargeId: string): ChargeView {
    if (final.status === 'CAPTURED') return final;
    if (final.status === 'PENDING') throw outcomeUnknown('ChargePending', `charge ${chargeId} is still pending`);
    throw ApplicationFailure.nonRetryable(
      `charge ${chargeId} ended ${final.status}`,
      final.failureCode ?? `Charge${final.status}`,
    );
  }

  /**
   * Undoes a charge: the gateway voids a pending one, refunds a captured one, and tombstones an
   * unknown one. A pending charge it cannot stop is waited for, then undone again, so a success
   * that arrives after the order was given up is refunded.
   */
  async undoCharge(chargeId: string, key: (step: string) => string): Promise<void> {
    for (let round = 1; ; round++) {
      const answer = await this.undo.refundCharge({
        chargeId,
        idempotencyKey: key(round === 1 ? 'charge-card:undo' : `charge-card:undo:${round}`),
      });
      if ('sequence' in answer) this.apply(answer, 'undo');
      if (answer.status !== 'PENDING') return;
      await this.awaitSettled(chargeId);
    }
  }

  /** Waits for the charge to settle: the callback first, then status polls with backoff. */
  async awaitSettled(chargeId: string): Promise<ChargeView> {
    await this.waitFor(
      `charge ${chargeId}`,
      () => settledStatus(this.charges.get(chargeId)),
      async () => this.apply(await this.gateway.getCharge({ chargeId }), 'poll'),
    );
    return this.charges.get(chargeId)!;
  }

  /**
   * Refunds part of a captured charge and waits until the gateway settled the refund (its callback
   * comes to this workflow; polls after the callback timeout). `RefundExceedsCapture` and
   * `ChargeNotCaptured` are refusals: nothing moved.
   */
  async refund(refund: { chargeId: string; refundId: string; amountCents: number }, idempotencyKey: string) {
    const created = await this.act.createRefund({ ...refund, reference: workflowInfo().workflowId, idempotencyKey });
    if (created.status === 'SUCCEEDED') this.settledRefunds.add(refund.refundId);
    await this.waitFor(
      `refund ${refund.refundId}`,
      () => this.settledRefunds.has(refund.refundId),
      async () => {
        if ((await this.act.getRefund({ refundId: refund.refundId })).status === 'SUCCEEDED') {
          this.settledRefunds.add(refund.refundId);
        }
      },
    );
  }

  /** Waits until `done`: first up to the callback timeout, then polling with doubling backoff. */
  private async waitFor(what: string, done: () => boolean, poll: () => Promise<void>): Promise<void> {
    if (!done()) {
      await condition(done, this.options.callbackTimeout ?? '30 seconds', {
        summary: `Wait for the gateway's callback on ${what}`,
      });
    }
    let delay = durationMs(this.options.poll?.initial ?? '1 second');
    const max = durationMs(this.options.poll?.max ?? '1 minute');
    while (!done()) {
      this.polls += 1;
      try {
        await poll();
      } catch (err) {
        // The gateway being unreachable for a while is no answer: keep backing off (the unpaid
        // deadline, or the saga's own cancellation, bounds the wait).
        if (isCancellation(err)) throw err;
        log.warn('payment status poll failed', { error: describeError(err) });
      }
      if (done() || (await condition(done, delay, { summary: `Poll ${what} again unless its callback comes` }))) break;
      delay = Math.min(delay * 2, max);
    }
  }

  /** Applies a newer state of a charge; a repeated event or an older state changes nothing. */
  private apply(update: ChargeView, source: PaymentTransition['source'], eventId?: string): void {
    if (eventId !== undefined) {
      if (this.seen.has(eventId)) {
        this.ignored.push({ eventId, reason: 'duplicate' });
        return;
      }
      this.seen.add(eventId);
    }
    const current = this.charges.get(update.chargeId);
    if (current !== undefined && update.sequence <= current.sequence) {
      if (eventId !== undefined) this.ignored.push({ eventId, reason: 'stale' });
      return;
    }
    const { chargeId, status, sequence, failureCode, amountCents, refundedCents } = update;
    this.charges.set(chargeId, { chargeId, status, sequence, failureCode, amountCents, refundedCents });
    if (current?.status !== status) {
      const at = new Date().toISOString();
      this.transitions.push({ chargeId, from: current?.status ?? 'UNKNOWN', to: status, source, eventId, at });
    }
  }
}
