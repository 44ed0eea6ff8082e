import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { loadConfig } from '../../config';
import { ValidationError } from '../../client/errors';
import { brokerManager, connectBroker } from '../../services/shared/broker';
import {
  listDeadLetters,
  replayDeadLetter,
  UnknownDeadLetter,
  type DeadLetter,
} from '../../services/shared/dead-letters';

async function withBroker<T>(fn: (nc: NatsConnection) => Promise<T>): Promise<T> {
  const nc = await connectBroker({ ...loadConfig().nats, name: 'saga-cli' });
  try {
    return await fn(nc);
  } finally {
    await nc.close();
  }
}

/** One line per dead letter: its sequence, when, which consumer, the subject, the attempts and why. */
export function renderDeadLetters(letters: DeadLetter[]): string {
  if (letters.length === 0) return 'no dead letters';
  return letters
    .map((d) => `${d.seq}  ${d.deadAt.slice(0, 19)}  ${d.consumer}  ${d.subject}  ×${d.attempts}  ${d.error}`)
    .join('\n');
}

/** `saga events dead-letters` and `saga events replay <seq>`. */
export function addEventCommands(cli: Command): void {
  const events = cli.command('events').description('domain events on NATS JetStream: dead letters and their replay');
  events
    .command('dead-letters')
    .description('list the events consumers gave up on, oldest first')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'as JSON')
    .action(async (o: { limit: string; json?: boolean }) => {
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new ValidationError([{ path: '--limit', message: 'must be a whole number of at least 1' }]);
      }
      const letters = await withBroker(async (nc) => listDeadLetters(await brokerManager(nc), limit));
      console.log(o.json ? JSON.stringify(letters, null, 2) : renderDeadLetters(letters));
    });
  events
    .command('replay')
    .description('publish a dead letter again on its subject (after the fix), then remove it from the list')
    .argument('<seq>', 'its sequence, as `dead-letters` shows it')
    .action(async (seqArg: string) => {
      const seq = Number(seqArg);
      if (!Number.isInteger(seq) || seq < 1) {
        throw new ValidationError([{ path: 'seq', message: 'must be a whole number of at least 1' }]);
      }
      const letter = await withBroker(async (nc) =>
        replayDeadLetter(jetstream(nc), await brokerManager(nc), seq).catch((err: unknown) => {
          if (err instanceof UnknownDeadLetter) return undefined;
          throw err;
        }),
      );
      if (letter === undefined) {
        console.error(`no dead letter ${seq}`);
        process.exitCode = 1;
        return;
      }
      console.log(`replayed ${letter.subject} (event ${letter.eventId ?? 'unknown'}) for ${letter.consumer}`);
    });
}
