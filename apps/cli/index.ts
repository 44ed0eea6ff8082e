import { CommanderError } from 'commander';
import { runMain } from '../../config/entry';
import { ActionRefused, AlreadyStarted, NotFound, Unanswered, ValidationError } from '../../client/errors';
import { program } from './main';

/**
 * `npm run saga -- <command>`: exit 0 done, 1 refused or failed, 2 bad input or configuration.
 * Only `replay` loads the worker (its native runtime and the workflow bundler): every other command
 * needs the client alone, so it starts in a fraction of a second.
 */

runMain(async () => {
  try {
    await program().parseAsync(process.argv);
    // Done: a replay that overran its bound may leave its replayer running; nothing else is pending.
    process.exit(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2); // help, or bad usage
    if (err instanceof ValidationError) {
      console.error(err.message);
      process.exit(2);
    }
    const refusals = [NotFound, ActionRefused, AlreadyStarted, Unanswered];
    if (refusals.some((r) => err instanceof r)) {
      console.error((err as Error).message);
      process.exit(1);
    }
    throw err;
  }
});
