import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config';
import { ValidationError } from '../../client/errors';
import { ensureFlashSaleGateCheckSchedule, flashSaleGateCheckScheduleId } from '../../client/flash-sale';
import { ensureReconciliationSchedule, reconciliationScheduleId } from '../../client/reconciliation';
import { ensureRetentionSchedule, retentionScheduleId } from '../../client/retention';
import type { ScheduleMode, ScheduleOutcome } from '../../client/schedules';

/**
 * Every Schedule the application runs (reconciliation, retention, the flash-sale gate check), from
 * the configuration: `apply` brings them to it (`npm run schedules`, the one step that decides),
 * `keep` creates missing ones and reports how running ones differ (every worker start).
 */
export async function ensureSchedules(
  client: Client,
  config: AppConfig,
  mode: ScheduleMode,
  only: readonly string[] = [],
): Promise<ScheduleOutcome[]> {
  const taskQueue = config.temporal.taskQueue;
  const all: Record<string, () => Promise<ScheduleOutcome>> = {
    [reconciliationScheduleId]: () =>
      ensureReconciliationSchedule(client, { taskQueue, ...config.reconciliation }, mode),
    [retentionScheduleId]: () => ensureRetentionSchedule(client, { taskQueue, ...config.retention }, mode),
    [flashSaleGateCheckScheduleId]: () =>
      ensureFlashSaleGateCheckSchedule(
        client,
        { taskQueue, intervalMs: config.flashSale.checkIntervalMs, quietMs: config.flashSale.quietMs },
        mode,
      ),
  };
  if (only.some((id) => !(id in all))) {
    throw new ValidationError([{ path: 'schedule', message: `must be one of ${Object.keys(all).join(', ')}` }]);
  }
  const outcomes: ScheduleOutcome[] = [];
  for (const [id, ensure] of Object.entries(all))
    if (only.length === 0 || only.includes(id)) outcomes.push(await ensure());
  return outcomes;
}
