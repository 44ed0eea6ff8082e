import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from 'pino';

const levels = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The SDK's log context with our field names: one name for the run id everywhere (`runId`; activity
 * lines say `workflowRunId`), no task token (an opaque credential for completing the activity, and
 * noise), and a failure under `error` kept as an Error so the logger writes its type, message and
 * cause (a plain object would print as `{}`).
 */
export function logFields(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  const { workflowRunId, taskToken: _taskToken, failure, error, ...rest } = meta ?? {};
  void _taskToken;
  const fields: Record<string, unknown> = { ...rest };
  if (workflowRunId !== undefined && fields.runId === undefined) fields.runId = workflowRunId;
  const problem = error ?? failure;
  if (problem !== undefined) fields.error = problem instanceof Error ? problem : toError(problem);
  return fields;
}

/** A failure the SDK logged as a plain value, as an Error with what it said. */
function toError(value: unknown): Error | string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'message' in value) {
    const v = value as { message: unknown; name?: unknown; cause?: unknown };
    const err = new Error(String(v.message), v.cause !== undefined ? { cause: v.cause } : undefined);
    if (typeof v.name === 'string') err.name = v.name;
    return err;
  }
  return JSON.stringify(value);
}

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
      logger[level]({ ...logFields(entry.meta), sdk: true }, entry.message);
    }),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
