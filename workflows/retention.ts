import { isCancellation, log, workflowInfo } from '@temporalio/workflow';
import { retentionInput, retentionTargets, type RetentionInput, type RetentionReport } from '../contracts/retention';
import { parseWorkflowInput } from './input';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { describeError } from './saga';

export type { RetentionInput };

const act = narratedActivities(presets.serviceCall);

/**
 * retention (run by the `retention` Schedule, or on demand): asks each service and the HTTP API
 * (every one unless `services` names some), one after the other, to remove what is past its window, a batch of at
 * most `batchSize` rows per table at a time, until the service says nothing is left or
 * `maxBatches` batches ran (the next run goes on). Each service owns its SQL (`POST /retention`):
 * idempotency keys, barrier rows of finished TCC transactions only, settled callbacks. Returns and
 * stores in billing (`GET /retention/reports`) what it removed per service and table. Fails with `InvalidInput` (nothing done) on a bad
 * input; a target that keeps failing is named in the report's `failed`, and the next run tries it again.
 */
export async function retention(raw: RetentionInput): Promise<RetentionReport> {
  const input = parseWorkflowInput(retentionInput, raw, 'retention');
  const { workflowId, runId } = workflowInfo();
  const report: RetentionReport = {
    reportId: `${workflowId}/${runId}`,
    windows: input.windows,
    batchSize: input.batchSize,
    removed: {},
    total: 0,
    batches: {},
    failed: {},
    complete: true,
  };
  for (const service of input.services ?? retentionTargets) {
    const removed: Record<string, number> = {};
    let batch = 0;
    let more = true;
    try {
      while (more && batch < input.maxBatches) {
        const answer = await act.purgeExpired({
          service,
          windows: input.windows,
          batchSize: input.batchSize,
          idempotencyKey: `${workflowId}:${runId}:${service}:${batch}`,
        });
        batch += 1;
        for (const [table, n] of Object.entries(answer.removed)) {
          removed[table] = (removed[table] ?? 0) + n;
          report.total += n;
        }
        more = answer.more;
      }
    } catch (err) {
      // One target down must not keep the others from being trimmed; the next run tries it again.
      if (isCancellation(err)) throw err;
      report.failed[service] = describeError(err).slice(0, 1000);
    }
    report.removed[service] = removed;
    report.batches[service] = batch;
    if (more) report.complete = false;
  }
  log.info('retention done', { total: report.total, complete: report.complete, removed: report.removed });
  return act.storeRetentionReport(report);
}
