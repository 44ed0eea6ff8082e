import pg from 'pg';
import type { Logger } from 'pino';

export interface NotifiedLoopOptions {
  /** Where LISTEN connects (a dedicated connection, outside the pool). */
  databaseUrl: string;
  /** The NOTIFY channel that says there is work. */
  channel: string;
  /** The connection's application name, and the word the log lines use (`outbox`, `events`). */
  name: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Fallback polling when no notification arrives (default 2 s). */
  pollIntervalMs?: number;
  /** One round of work: how many rows it handled, and whether more are waiting right away. */
  round: () => Promise<{ count: number; more: boolean }>;
}

/**
 * The relays' loop: a round of work whenever a NOTIFY arrives on `channel`, and every
 * `pollIntervalMs` otherwise (a lost LISTEN connection only leaves the polling, and says so). A
 * notification during a round, or a full batch, starts the next round at once. A failed round is
 * logged and retried at the next wake.
 */
export class NotifiedLoop {
  private running = false;
  private wake: (() => void) | undefined;
  /** A notification arrived since the current round began: go again instead of waiting. */
  private notified = false;
  private listener: pg.Client | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly options: NotifiedLoopOptions) {}

  async start(): Promise<void> {
    const { databaseUrl, channel, name, logger } = this.options;
    this.running = true;
    this.listener = new pg.Client({ connectionString: databaseUrl, application_name: `${name}-relay` });
    this.listener.on('error', (err) => logger.warn({ err }, `${name} LISTEN connection lost; polling only`));
    await this.listener.connect();
    this.listener.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    await this.listener.query(`LISTEN ${channel}`);
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const { name, logger } = this.options;
    const poll = this.options.pollIntervalMs ?? 2000;
    while (this.running) {
      this.notified = false;
      try {
        const { count, more } = await this.options.round();
        if (count > 0) logger.info({ count }, `${name} relayed`);
        if (more || this.notified) continue;
      } catch (err) {
        logger.error({ err }, `${name} relay round failed`);
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, poll);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Stops after the round in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.done;
    await this.listener?.end();
  }
}
