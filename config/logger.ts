import { pino, type Logger } from 'pino';

/** One JSON logger per process; `name` says which part of the system wrote the line. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level, base: { pid: process.pid } });
}
export type { Logger };
