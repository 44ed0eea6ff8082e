import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import { deadLetterStream, eventsStream } from './broker';
import { deadLetterHeaders } from './consumer';

/** There is no dead letter of that sequence (never was, or replayed already). */
export class UnknownDeadLetter extends Error {
  override readonly name = 'UnknownDeadLetter';
  constructor(readonly seq: number) {
    super(`no dead letter ${seq} in ${deadLetterStream}`);
  }
}

/** One event a consumer gave up on, as the dead-letter stream keeps it. */
export interface DeadLetter {
  /** Its sequence in the dead-letter stream: what `replayDeadLetter` takes. */
  seq: number;
  consumer: string;
  /** Where it was published, and its sequence in the events stream. */
  subject: string;
  originalSeq: number;
  attempts: number;
  error: string;
  eventId: string | undefined;
  deadAt: string;
}

function readEventId(data: Uint8Array): string | undefined {
  try {
    const id = (JSON.parse(new TextDecoder().decode(data)) as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Up to `limit` dead letters, oldest first (replayed ones are gone). */
export async function listDeadLetters(jsm: JetStreamManager, limit = 100): Promise<DeadLetter[]> {
  const { state } = await jsm.streams.info(deadLetterStream);
  const found: DeadLetter[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && found.length < limit && state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(deadLetterStream, { seq });
    if (m !== null) found.push(toDeadLetter(m));
  }
  return found;
}

function toDeadLetter(m: StoredMsg): DeadLetter {
  return {
    seq: m.seq,
    consumer: m.header.get(deadLetterHeaders.consumer),
    subject: m.header.get(deadLetterHeaders.subject),
    originalSeq: Number(m.header.get(deadLetterHeaders.seq)),
    attempts: Number(m.header.get(deadLetterHeaders.attempts)),
    error: m.header.get(deadLetterHeaders.error),
    eventId: readEventId(m.data),
    deadAt: m.time.toISOString(),
  };
}

/**
 * Publishes dead letter `seq` again on its original subject, then removes it from the dead-letter
 * stream: every consumer of that subject gets it again, and those that applied it before find it
 * in their inbox. Throws `UnknownDeadLetter` when there is no dead letter `seq`. A crash between the publish and the
 * removal leaves it listed; replaying it again is harmless (the broker drops the second publish,
 * the inboxes any later one).
 */
export async function replayDeadLetter(js: JetStreamClient, jsm: JetStreamManager, seq: number): Promise<DeadLetter> {
  const m = await jsm.streams.getMessage(deadLetterStream, { seq });
  if (m === null) throw new UnknownDeadLetter(seq);
  const letter = toDeadLetter(m);
  await js.publish(letter.subject, m.data, { msgID: `replay:${seq}`, expect: { streamName: eventsStream } });
  await jsm.streams.deleteMessage(deadLetterStream, seq);
  return letter;
}
