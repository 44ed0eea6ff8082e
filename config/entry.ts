import { ConfigError } from './index';

/**
 * Runs an entry point's main function: a ConfigError prints its one-line message and exits with 2
 * (nothing has been started by then); any other failure prints the error and exits with 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}
