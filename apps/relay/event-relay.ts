import type { JetStreamClient } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { inTransaction, type Pool } from '../../services/shared/db';
import { eventsStream } from '../../services/shared/broker';
import {
  claimEvents,
  eventSchemas,
  eventsOutboxChannel,
  markEventFailed,
  markEventsPublished,
  type EventSchema,
  type OutboxEvent,
} from '../../services/shared/events';

import { NotifiedLoop } from './notified-loop';

export interface EventRelayOptions {
  pool: Pool;
  /** Where LISTEN connects (a dedicated connection, outside the pool). */
  databaseUrl: string;
  js: JetStreamClient;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** The outboxes it publishes (default: every one). */
  schemas?: readonly EventSchema[];
  batchSize?: number;
  /** Fallback polling when no notification arrives (default 2 s). */
  pollIntervalMs?: number;
  /** How long one publish waits for the broker's ack (default 5 s). */
  publishTimeoutMs?: number;
  /** Test seam: runs after the broker's ack and before the row is marked (a crash there must be harmless). */
  afterPublish?: (row: OutboxEvent) => Promise<void>;
}

/**
 * Publishes the services' events outboxes to JetStream: each row with `Nats-Msg-Id` = its event
 * id, marked published only after the broker's ack. A crash between the ack and the mark rolls the
 * mark back; the row is published again under the same id and the broker drops the second copy
 * (inside its dedupe window; consumers' inboxes catch any later one). Rows go out one at a time in
 * the order they were written, and one relay at a time holds an outbox, so each aggregate's
 * events reach the stream in order; a failed publish ends the round for that outbox.
 */
export class EventRelay {
  private loop: NotifiedLoop | undefined;

  constructor(private readonly options: EventRelayOptions) {}

  /** Publishes one batch of `schema`'s outbox; returns the event ids it marked published. */
  async publishBatch(schema: EventSchema): Promise<string[]> {
    const { pool, js, logger, afterPublish } = this.options;
    return inTransaction(pool, async (db) => {
      const rows = (await claimEvents(db, schema, this.options.batchSize ?? 100)) ?? [];
      const published: OutboxEvent[] = [];
      for (const row of rows) {
        try {
          await js.publish(row.subject, JSON.stringify(row.event), {
            msgID: row.event.id,
            expect: { streamName: eventsStream },
            timeout: this.options.publishTimeoutMs ?? 5000,
          });
        } catch (err) {
          // Broker away or refusing: keep this row and the rest for a later round, in order.
          logger.warn({ err, eventId: row.event.id, subject: row.subject }, 'event publish failed');
          await markEventFailed(db, schema, row.seq, String(err));
          break;
        }
        await afterPublish?.(row);
        published.push(row);
      }
      // One mark for every row the broker acknowledged; a crash before the commit publishes them again.
      await markEventsPublished(
        db,
        schema,
        published.map((r) => r.seq),
      );
      return published.map((r) => r.event.id);
    });
  }

  /** Publishes every outbox until a round finds nothing (or a publish fails); returns how many went out. */
  async drain(): Promise<number> {
    let total = 0;
    for (const schema of this.options.schemas ?? eventSchemas) {
      for (;;) {
        const n = (await this.publishBatch(schema)).length;
        total += n;
        if (n < (this.options.batchSize ?? 100)) break;
      }
    }
    return total;
  }

  /** Runs until `stop()`: woken by NOTIFY on the events channel, polling as a fallback. */
  async start(): Promise<void> {
    const { databaseUrl, logger, pollIntervalMs } = this.options;
    this.loop = new NotifiedLoop({
      databaseUrl,
      channel: eventsOutboxChannel,
      name: 'events',
      logger,
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
      round: async () => ({ count: await this.drain(), more: false }),
    });
    await this.loop.start();
  }

  /** Stops after the round in flight. */
  async stop(): Promise<void> {
    await this.loop?.stop();
  }
}
