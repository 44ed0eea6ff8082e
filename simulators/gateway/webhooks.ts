import type { Logger } from 'pino';
import type { Pool } from '../../services/shared/db';
import { inTransaction } from '../../services/shared/db';
import { signatureHeader, signCallback } from '../../services/shared/signature';
import { settleDue } from './store';
import type { GatewayTimings } from './cards';

export interface WebhookOptions {
  /** Where callbacks go (the merchant's receiver); resolved at send time. Unset: kept, not sent. */
  callbackUrl: () => string | undefined;
  secret: string;
  timings: GatewayTimings;
  /** How often due work is looked for (default 50 ms). */
  tickMs?: number;
  /** Delivery attempts per callback before the gateway gives up on it (default 10). */
  maxAttempts?: number;
}

interface DueEvent {
  event_id: string;
  body: unknown;
  copies: number;
  attempts: number;
}

/**
 * The gateway's background side: settles due charges and refunds, and sends due callbacks, signed,
 * each copy as its own request. A callback the receiver does not acknowledge with 2xx is retried with
 * exponential backoff (0.5 s doubling, at most 60 s) until `maxAttempts`, then given up, as real
 * providers do; status queries and reconciliation cover what is never delivered. Rows are claimed
 * with SKIP LOCKED, so several service processes share the work.
 */
export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Pick<Logger, 'warn' | 'error'>,
    private readonly options: WebhookOptions,
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.tick()
        .catch((err: unknown) => this.logger.error({ err }, 'gateway tick failed'))
        .finally(() => {
          if (this.running !== undefined) this.timer = setTimeout(tick, this.options.tickMs ?? 50);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    const running = this.running;
    this.running = undefined;
    await running;
    clearTimeout(this.timer);
  }

  /** One round: settle what is due, then send what is due. */
  async tick(): Promise<void> {
    await settleDue(this.pool, this.options.timings);
    const url = this.options.callbackUrl();
    if (url !== undefined) await this.deliverDue(url);
  }

  private async deliverDue(url: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<DueEvent>(
        `SELECT event_id, body, copies, attempts FROM payments.events
         WHERE delivered_at IS NULL AND given_up_at IS NULL AND coalesce(next_attempt_at, send_at) <= now()
         ORDER BY coalesce(next_attempt_at, send_at) LIMIT 50 FOR UPDATE SKIP LOCKED`,
      );
      const results = await Promise.all(rows.map((row) => this.send(url, row)));
      for (const [i, row] of rows.entries()) {
        const error = results[i];
        if (error === undefined) {
          await client.query(
            `UPDATE payments.events SET delivered_at = now(), attempts = attempts + 1 WHERE event_id = $1`,
            [row.event_id],
          );
          continue;
        }
        const attempts = row.attempts + 1;
        const giveUp = attempts >= (this.options.maxAttempts ?? 10);
        this.logger.warn({ eventId: row.event_id, attempts, error, giveUp }, 'gateway callback not acknowledged');
        await client.query(
          `UPDATE payments.events SET attempts = $2, last_error = $3,
             next_attempt_at = now() + $4 * interval '1 millisecond',
             given_up_at = CASE WHEN $5 THEN now() END
           WHERE event_id = $1`,
          [row.event_id, attempts, error, Math.min(500 * 2 ** (attempts - 1), 60_000), giveUp],
        );
      }
    });
  }

  /** Sends every copy of one event; resolves with an error text, or undefined when all were acknowledged. */
  private async send(url: string, row: DueEvent): Promise<string | undefined> {
    const body = JSON.stringify(row.body);
    const post = async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [signatureHeader]: signCallback(this.options.secret, body) },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await response.text();
      if (!response.ok) throw new Error(`receiver answered ${response.status}`);
    };
    const outcomes = await Promise.allSettled(Array.from({ length: row.copies }, post));
    const failed = outcomes.find((o) => o.status === 'rejected');
    return failed ? String(failed.reason) : undefined;
  }
}
