import type { Client } from '@temporalio/client';
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

import { NotifiedLoop } from './notified-loop';

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
  private loop: NotifiedLoop | undefined;

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
    const { databaseUrl, logger, pollIntervalMs } = this.options;
    const batch = this.options.batchSize ?? 20;
    this.loop = new NotifiedLoop({
      databaseUrl,
      channel: outboxChannel,
      name: 'outbox',
      logger,
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
      round: async () => {
        const delivered = await this.deliverBatch();
        return { count: delivered.length, more: delivered.length === batch };
      },
    });
    await this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }
}
