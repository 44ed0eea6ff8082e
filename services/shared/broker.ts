import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  jetstreamManager,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { eventSubjectRoot } from '../../contracts/events';

/** The stream of every domain event (`shop.>`), on file storage. */
export const eventsStream = 'SHOP_EVENTS';
/** Events a consumer gave up on after its attempts: `dead.<consumer>.<original subject>`. */
export const deadLetterStream = 'SHOP_DEAD_LETTERS';
export const deadLetterRoot = 'dead';

/** How long the broker remembers a `Nats-Msg-Id` to drop a second publish of it. */
export const dedupeWindowMs = 2 * 60_000;

const nanos = (ms: number) => ms * 1_000_000;

export interface BrokerOptions {
  /** One URL, or several for a cluster. */
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** Shows in the server's connection list. */
  name: string;
}

/**
 * Connects to NATS and keeps reconnecting forever after a lost connection (a broker restart):
 * publishes and pulls fail while it is away and succeed again once it is back. Throws when no
 * server answers the first connect.
 */
export async function connectBroker(opts: BrokerOptions): Promise<NatsConnection> {
  return connect({
    servers: opts.servers,
    name: opts.name,
    ...(opts.user !== undefined ? { user: opts.user, pass: opts.password ?? '' } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  });
}

/**
 * Creates (or updates to this configuration) the events stream and the dead-letter stream, both
 * on file storage, so a broker restart keeps every acknowledged message. Safe to call from every
 * process at every start.
 */
export async function ensureStreams(jsm: JetStreamManager): Promise<void> {
  const streams = [
    { name: eventsStream, subjects: [`${eventSubjectRoot}.>`] },
    { name: deadLetterStream, subjects: [`${deadLetterRoot}.>`] },
  ];
  for (const s of streams) {
    const config = {
      ...s,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      duplicate_window: nanos(dedupeWindowMs),
    };
    const exists = await jsm.streams.info(s.name).then(
      () => true,
      (err: unknown) => {
        if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return false;
        throw err;
      },
    );
    await (exists ? jsm.streams.update(s.name, config) : jsm.streams.add(config));
  }
}

/** `jetstreamManager` with the streams in place. */
export async function brokerManager(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm);
  return jsm;
}
