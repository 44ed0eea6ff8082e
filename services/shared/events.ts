import { randomUUID } from 'node:crypto';
import { domainEvent, eventSubject, type DomainEvent, type NewEvent } from '../../contracts/events';
import type { PoolClient } from './db';

/**
 * A service's events outbox (`<schema>.events_outbox`, one per owning service, from its
 * migrations): the service records a domain event in the transaction of the change it tells of;
 * the event relay claims, publishes and marks the rows. The SQL on the table lives here only.
 */

/** The NOTIFY channel an insert into any events outbox wakes; the payload is the schema. */
export const eventsOutboxChannel = 'events_outbox';

/** The schemas that own an events outbox (their migrations create it). */
export const eventSchemas = ['order', 'wallet', 'inventory', 'approvals'] as const;
export type EventSchema = (typeof eventSchemas)[number];

/**
 * Records `event` in `schema`'s outbox on the caller's transaction, with a fresh id (the broker's
 * `Nats-Msg-Id` and the consumers' inbox key) and the time. Throws a ZodError when the event does
 * not match its versioned schema: a bug, and the change it tells of rolls back with it.
 */
export async function recordEvent(db: PoolClient, schema: EventSchema, e: NewEvent): Promise<DomainEvent> {
  const event = domainEvent.parse({ ...e, id: randomUUID(), occurredAt: new Date().toISOString() });
  await db.query(`INSERT INTO "${schema}".events_outbox (event_id, subject, event) VALUES ($1, $2, $3)`, [
    event.id,
    eventSubject(event),
    JSON.stringify(event),
  ]);
  return event;
}

/** One unpublished row, as the relay sees it. */
export interface OutboxEvent {
  seq: string;
  subject: string;
  event: DomainEvent;
}

/**
 * Claims up to `limit` unpublished rows of `schema`, oldest first, with their row locks; `null`
 * when another relay holds the schema (a transaction-scoped advisory lock): one publisher per
 * outbox at a time keeps each aggregate's events in the order they were written. Must run inside
 * a transaction.
 */
export async function claimEvents(db: PoolClient, schema: EventSchema, limit: number): Promise<OutboxEvent[] | null> {
  const { rows: lock } = await db.query<{ ok: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtext('events_outbox'), hashtext($1)) AS ok`,
    [schema],
  );
  if (!lock[0]?.ok) return null;
  const { rows } = await db.query<OutboxEvent>(
    `SELECT seq::text AS seq, subject, event FROM "${schema}".events_outbox WHERE published_at IS NULL
     ORDER BY seq LIMIT $1 FOR UPDATE`,
    [limit],
  );
  return rows;
}

/** Marks claimed rows published (counting the attempt), after the broker acknowledged each. */
export async function markEventsPublished(db: PoolClient, schema: EventSchema, seqs: string[]): Promise<void> {
  if (seqs.length === 0) return;
  await db.query(
    `UPDATE "${schema}".events_outbox SET published_at = now(), attempts = attempts + 1 WHERE seq = ANY($1::bigint[])`,
    [seqs],
  );
}

/** Keeps a claimed row for a later round, counting the attempt and saying why it failed. */
export async function markEventFailed(db: PoolClient, schema: EventSchema, seq: string, error: string): Promise<void> {
  await db.query(`UPDATE "${schema}".events_outbox SET attempts = attempts + 1, last_error = $2 WHERE seq = $1`, [
    seq,
    error,
  ]);
}
