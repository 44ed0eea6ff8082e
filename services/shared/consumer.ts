import { headers, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { domainEvent, type DomainEvent } from '../../contracts/events';
import { brokerManager, deadLetterRoot, deadLetterStream, eventsStream } from './broker';
import { inTransaction, type Pool, type PoolClient } from './db';
import type { ConsumerMetrics } from './consumer-metrics';

/** Headers a dead letter carries: where it came from and why it was given up. */
export const deadLetterHeaders = {
  subject: 'Dead-Original-Subject',
  seq: 'Dead-Original-Seq',
  consumer: 'Dead-Consumer',
  attempts: 'Dead-Attempts',
  error: 'Dead-Error',
} as const;

export interface EventConsumerOptions {
  nc: NatsConnection;
  pool: Pool;
  /** The durable consumer's name: the dead-letter subject's second token and the metrics label. */
  name: string;
  /** Subjects it reads (default: every event). */
  filterSubjects?: string[];
  /** The consumer's own schema, holding `inbox` (event_id uuid primary key, stream_seq bigint). */
  schema: string;
  /** Applies one event on the inbox row's transaction; throws to retry it. */
  apply(db: PoolClient, event: DomainEvent): Promise<void>;
  /** Deliveries before an event goes to the dead-letter stream (default 5). */
  maxAttempts?: number;
  /** The wait before the n-th retry, the last repeated (default 200 ms, 1 s, 5 s, 15 s). */
  backoffMs?: number[];
  /** How long a delivery may stay unacknowledged before the broker redelivers it (default 30 s). */
  ackWaitMs?: number;
  /** Messages pulled at once (default 50). */
  batchSize?: number;
  metrics?: ConsumerMetrics;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Test seam: runs after the local commit and before the ack (a crash there must be harmless). */
  afterCommit?: (event: DomainEvent) => Promise<void>;
}

const nanos = (ms: number) => ms * 1_000_000;

/**
 * Applies domain events from JetStream once each. A durable pull consumer with explicit acks: every
 * message is applied in one local transaction that also inserts its event id into the consumer's
 * inbox (unique), and acknowledged only after that commit. A redelivery (a crash before the ack, a
 * lost ack, a republish past the broker's dedupe window) finds the inbox row and is acknowledged
 * without applying again. A failing apply is retried with backoff; after `maxAttempts` deliveries
 * (or at once, for a message that is no valid event) it is published to the dead-letter stream and
 * terminated, so it no longer blocks the others. Messages are handled one at a time in stream order;
 * a retried one may be overtaken by later ones.
 */
export class EventConsumer {
  private messages: ConsumerMessages | undefined;
  private done: Promise<void> = Promise.resolve();
  private js: JetStreamClient;
  private jsm: JetStreamManager | undefined;

  constructor(private readonly options: EventConsumerOptions) {
    this.js = jetstream(options.nc);
  }

  /** Creates (or updates) the streams and the durable consumer, and starts pulling. */
  async start(): Promise<void> {
    const { name, nc } = this.options;
    this.jsm = await brokerManager(nc);
    const config = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      max_ack_pending: 1000,
      ...(this.options.filterSubjects ? { filter_subjects: this.options.filterSubjects } : {}),
    };
    const exists = await this.jsm.consumers.info(eventsStream, name).then(
      () => true,
      () => false,
    );
    if (exists) await this.jsm.consumers.update(eventsStream, name, config);
    else await this.jsm.consumers.add(eventsStream, config);
    this.options.metrics?.watch(name, () => this.lag());
    const consumer = await this.js.consumers.get(eventsStream, name);
    this.messages = await consumer.consume({ max_messages: this.options.batchSize ?? 50 });
    this.done = this.run(this.messages);
  }

  /** Messages not yet acknowledged by this consumer: pending in the stream plus delivered and unacked. */
  async lag(): Promise<number> {
    const info = await this.jsm!.consumers.info(eventsStream, this.options.name);
    return info.num_pending + info.num_ack_pending;
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        try {
          await this.handle(m);
        } catch (err) {
          // The connection went away between commit and ack: the broker redelivers, the inbox dedupes.
          this.options.logger.warn({ err, subject: m.subject, seq: m.seq }, 'event not acknowledged');
        }
      }
    } catch (err) {
      // The connection was closed under it: what was pulled and not acknowledged is redelivered.
      this.options.logger.warn({ err, consumer: this.options.name }, 'event consumer stopped: connection closed');
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    const { name, metrics, afterCommit } = this.options;
    const attempt = m.info.deliveryCount;
    if (attempt > 1) metrics?.redeliveries.inc({ consumer: name });
    const parsed = domainEvent.safeParse(parseJson(m.data));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.deadLetter(m, `not a valid event: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
    }
    const event = parsed.data;
    let applied: boolean;
    try {
      applied = await this.applyOnce(event, m.seq);
    } catch (err) {
      if (attempt >= (this.options.maxAttempts ?? 5)) return this.deadLetter(m, String(err));
      const backoff = this.options.backoffMs ?? [200, 1000, 5000, 15_000];
      m.nak(backoff[Math.min(attempt, backoff.length) - 1]);
      this.options.logger.warn({ err, eventId: event.id, attempt }, 'event apply failed; retrying');
      return;
    }
    await afterCommit?.(event);
    // A plain ack, not one the broker confirms: a lost ack only means a redelivery, which the inbox absorbs.
    m.ack();
    metrics?.handled.inc({ consumer: name, outcome: applied ? 'applied' : 'duplicate' });
  }

  /** The inbox row and the apply in one transaction; false when the event was applied before. */
  private applyOnce(event: DomainEvent, seq: number): Promise<boolean> {
    const { pool, schema } = this.options;
    return inTransaction(pool, async (db) => {
      const { rowCount } = await db.query(
        `INSERT INTO "${schema}".inbox (event_id, stream_seq) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [event.id, seq],
      );
      if (rowCount === 0) return false;
      await this.options.apply(db, event);
      return true;
    });
  }

  /**
   * Publishes the message to `dead.<consumer>.<subject>` (deduped by consumer and stream sequence,
   * so a crash before the term does not file it twice) and terminates it.
   */
  private async deadLetter(m: JsMsg, reason: string): Promise<void> {
    const { name, metrics, logger } = this.options;
    const h = headers();
    h.set(deadLetterHeaders.subject, m.subject);
    h.set(deadLetterHeaders.seq, String(m.seq));
    h.set(deadLetterHeaders.consumer, name);
    h.set(deadLetterHeaders.attempts, String(m.info.deliveryCount));
    h.set(deadLetterHeaders.error, reason.slice(0, 1000).replace(/[\r\n]+/g, ' '));
    await this.js.publish(`${deadLetterRoot}.${name}.${m.subject}`, m.data, {
      msgID: `${name}:${m.seq}`,
      headers: h,
      expect: { streamName: deadLetterStream },
    });
    m.term(reason.slice(0, 200));
    metrics?.deadLetters.inc({ consumer: name });
    logger.error({ subject: m.subject, seq: m.seq, reason }, 'event dead-lettered');
  }

  /** Stops pulling; messages pulled and not yet acknowledged are redelivered to the next consumer. */
  async stop(): Promise<void> {
    await this.messages?.close().catch(() => undefined);
    await this.done;
  }
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
