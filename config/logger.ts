import { pino, type Logger } from 'pino';

const { errWithCause } = pino.stdSerializers;

/**
 * One JSON logger per process; `name` says which part of the system wrote the line. An Error under
 * `err` or `error` is written with its type, message, stack and cause (pino alone writes `{}` for
 * an Error under any key but `err`), and Node's own warnings become log lines too, so every line a
 * process writes is JSON.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const logger = pino({
    name,
    level,
    base: { pid: process.pid },
    serializers: { err: errWithCause, error: errWithCause },
  });
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
