import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from 'pino';

const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * Installs the worker process's Temporal runtime: every SDK, workflow and activity log line goes to
 * pino as JSON with its context (workflowId, runId, workflowType, activityType, and the saga's own
 * fields such as step), and, when `metricsAddress` is set, the runtime's metrics plus the sagas'
 * own are served for Prometheus at `http://<metricsAddress>/metrics`. Call once, before any
 * connection is made.
 */
export function installTelemetry(logger: Logger, metricsAddress: string | undefined): void {
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const level = levels[entry.level] ?? 'info';
      logger[level]({ ...entry.meta, sdk: true }, entry.message);
    }),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
