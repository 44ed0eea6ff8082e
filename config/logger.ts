import { pino, type DestinationStream, type Logger } from 'pino';
import { looksLikeCardNumber } from '../contracts/fields';

/**
 * Fields no log line may show: card data (a vault request, a pre-token run's input), credentials,
 * and the payloads a codec protects. pino replaces their values with `[redacted]`.
 */
export const redactPaths = [
  'cardNumber',
  '*.cardNumber',
  '*.*.cardNumber',
  'card',
  '*.card',
  '*.*.card',
  'cvc',
  '*.cvc',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'payloads',
  '*.payloads',
  '*.*.payloads',
];

const embedded = /\d(?:[ -]?\d){11,18}/g;

/** A string with every card number in it (Luhn-valid, 12-19 digits) masked. */
export function maskCardNumbers(text: string): string {
  return text.replace(embedded, (match) => (looksLikeCardNumber(match) ? '[card number]' : match));
}

/** A copy of the error (same class, for pino's `type`) with its message, stack and cause masked. */
function maskedError(error: Error): Error {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, masked({ ...error }));
  copy.message = maskCardNumbers(error.message);
  if (error.stack !== undefined) copy.stack = maskCardNumbers(error.stack);
  if (error.cause !== undefined) copy.cause = masked(error.cause);
  return copy;
}

/** The logged object with card numbers masked in every string, at any depth the log line has. */
function masked(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskCardNumbers(value);
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return maskedError(value);
  if (Array.isArray(value)) return value.map((v) => masked(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, depth + 1)]));
}

const { errWithCause } = pino.stdSerializers;

/**
 * One JSON logger per process; `name` says which part of the system wrote the line. Besides the
 * redacted paths, any card number anywhere in a line (a field, the message, an error's message or
 * stack) is masked, so a caller's mistake never reaches a log file. An Error under `err` or `error`
 * is written with its type, message, stack and cause (pino alone writes `{}` for an Error under any
 * key but `err`), and Node's own warnings become log lines too, so every line a process writes is
 * JSON.
 */
export function createLogger(
  name: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    name,
    level,
    base: { pid: process.pid },
    serializers: { err: errWithCause, error: errWithCause },
    redact: { paths: redactPaths, censor: '[redacted]' },
    formatters: { log: (object) => masked(object) as Record<string, unknown> },
    hooks: {
      logMethod(args, method) {
        // The message and its interpolation arguments; the object (an error too) goes through `masked`.
        const masking = args.map((a) => (typeof a === 'string' ? maskCardNumbers(a) : a));
        // `log.error(err)` takes its message from the error: give it the masked one.
        if (args[0] instanceof Error && typeof args[1] !== 'string')
          masking.splice(1, 0, maskCardNumbers(args[0].message));
        method.apply(this, masking as Parameters<typeof method>);
      },
    },
  };
  const logger = destination === undefined ? pino(options) : pino(options, destination);
  if (!warningsRouted) {
    warningsRouted = true;
    // Node prints warnings as plain text on stderr; the process's logger says them instead.
    process.removeAllListeners('warning');
    process.on('warning', (warning) => logger.warn({ err: warning }, `node warning: ${warning.message}`));
  }
  return logger;
}
let warningsRouted = false;
export type { Logger };
