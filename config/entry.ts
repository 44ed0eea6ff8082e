import { ConfigError } from './index';

/** gRPC status names of the errors a Temporal server (or the way to it) answers most. */
const grpcCodes: Record<number, string> = {
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  16: 'UNAUTHENTICATED',
};

const advice: Record<string, string> = {
  DEADLINE_EXCEEDED: 'the server, or the worker that answers a query, did not answer in time; try again',
  UNAVAILABLE: 'the Temporal server cannot be reached; is it running at TEMPORAL_ADDRESS?',
  UNAUTHENTICATED: 'the server refused the credentials (TEMPORAL_API_KEY or the TLS client certificate)',
  PERMISSION_DENIED: 'the credentials may not do this in this namespace',
  NOT_FOUND: 'no such namespace or workflow on this server (TEMPORAL_NAMESPACE?)',
};

/**
 * One line for an error a Temporal server (or the gRPC transport to it) answered, found on the error
 * or its causes, or undefined when there is none: `Temporal server: DEADLINE_EXCEEDED (<details>):
 * <what to check>`. gRPC errors are recognised by their shape (code, details, metadata), as the SDK's
 * own `isGrpcServiceError` does, so this module needs no Temporal import.
 */
export function describeServerError(err: unknown): string | undefined {
  if (err instanceof Error && err.message.startsWith('Failed to connect before the deadline')) {
    return `Temporal server: not reached before the connection deadline: ${advice.UNAVAILABLE}`;
  }
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const g = e as Error & { code?: unknown; details?: unknown; metadata?: unknown };
    if (typeof g.code !== 'number' || g.metadata === undefined || g.details === undefined) continue;
    const name = grpcCodes[g.code] ?? `gRPC status ${g.code}`;
    const details = typeof g.details === 'string' && g.details !== '' ? ` (${g.details})` : '';
    return `Temporal server: ${name}${details}${advice[name] ? `: ${advice[name]}` : ''}`;
  }
  return undefined;
}

/**
 * Runs an entry point's main function: a ConfigError prints its one-line message and exits with 2
 * (nothing has been started by then); an error the Temporal server answered prints one line naming
 * its gRPC status and exits with 1; any other failure prints the error and exits with 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    const server = describeServerError(err);
    console.error(server ?? err);
    process.exit(1);
  });
}
