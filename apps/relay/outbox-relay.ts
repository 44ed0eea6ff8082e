import type { Client } from '@temporalio/client';
import pg from 'pg';
import type { Logger } from 'pino';
import { startPayment } from '../../client';
import type { StartOptions } from '../../client/options';
import { inTransaction, type Pool } from '../../services/shared/db';
import {
  claimOutbox,
  markOutboxDelivered,
  markOutboxFailed,
  outboxChannel,
  plainOutbox,
  type OutboxEntry,
  type OutboxSealer,
} from '../../services/order/outbox';

export interface OutboxRelayOptions {
  pool: Pool;
  /** Where LISTEN connects (a dedicated connection, outside the pool). */
  databaseUrl: string;
  client: Client;
  /** What every saga it starts gets: the task queue and the configured payment waits (`startOptions`). */
  start: StartOptions;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  batchSize?: number;
  /** Fallback polling when no notification arrives (default 2 s). */
  pollIntervalMs?: number;
  /** How the order service sealed its payloads (the same sealer, default: as given). */
  sealer?: OutboxSealer;
  /** Test seam: runs after a start and before the row is marked (a crash there must be harmless). */
  afterStart?: (row: OutboxEntry) => Promise<void>;
}

/**
 * Delivers the order outbox: for each undelivered row, starts `payment:<orderId>` and marks the
 * row delivered. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so several relays can run at
 * once and each row goes to one of them. A crash between the start and the mark rolls the mark
 * back; the next delivery starts the same workflow id again, which returns the existing run.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  /** A notification arrived since the current round began: go again instead of waiting. */
  private notified = false;
  private listener: pg.Client | undefined;

  constructor(private readonly options: OutboxRelayOptions) {}

  /** Claims and delivers one batch; returns the ids it marked delivered. */
  async deliverBatch(): Promise<string[]> {
    const { pool, client, start, logger, afterStart } = this.options;
    return inTransaction(pool, async (db) => {
      const rows = await claimOutbox(db, this.options.batchSize ?? 20);
      // The batch's starts go out concurrently (a deadline each: the claimed rows stay locked while
      // Temporal answers); the rows are then marked one by one on this transaction's connection.
      const starts = await Promise.allSettled(
        rows.map((row) =>
          client.connection.withDeadline(Date.now() + 10_000, async () =>
            startPayment(client, await (this.options.sealer ?? plainOutbox).open(row.payload), start),
          ),
        ),
      );
      const delivered: string[] = [];
      for (const [i, row] of rows.entries()) {
        const start = starts[i]!;
        if (start.status === 'rejected') {
          // Temporal unreachable or refusing: keep the row for a later round, say why.
          logger.warn({ err: start.reason, outboxId: row.id, orderId: row.orderId }, 'outbox delivery failed');
          await markOutboxFailed(db, row.id, String(start.reason));
          continue;
        }
        await afterStart?.(row);
        await markOutboxDelivered(db, row.id);
        delivered.push(row.id);
      }
      return delivered;
    });
  }

  /** Runs until `stop()`: woken by NOTIFY on the outbox channel, polling as a fallback. */
  async start(): Promise<void> {
    this.running = true;
    this.listener = new pg.Client({ connectionString: this.options.databaseUrl, application_name: 'outbox-relay' });
    // A lost LISTEN connection must not crash the relay: polling goes on, and it says so.
    this.listener.on('error', (err) =>
      this.options.logger.warn({ err }, 'outbox LISTEN connection lost; polling only'),
    );
    await this.listener.connect();
    this.listener.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    await this.listener.query(`LISTEN ${outboxChannel}`);
    void this.loop();
  }

  private async loop(): Promise<void> {
    const poll = this.options.pollIntervalMs ?? 2000;
    while (this.running) {
      this.notified = false;
      try {
        const delivered = await this.deliverBatch();
        if (delivered.length > 0) this.options.logger.info({ count: delivered.length }, 'outbox delivered');
        if (delivered.length === (this.options.batchSize ?? 20) || this.notified) continue;
      } catch (err) {
        this.options.logger.error({ err }, 'outbox round failed');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, poll);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.listener?.end();
  }
}
