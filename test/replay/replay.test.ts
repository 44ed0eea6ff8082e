import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../provision/tools';
import '../support/context';

const historiesDir = join(projectRoot, 'test', 'histories');
const files = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));
const load = (file: string) =>
  JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as { events: Record<string, any>[] };
const replay = (history: unknown, workflowId: string) =>
  Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    historyFromJSON(history),
    workflowId,
  );

describe('recorded histories replay against the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', async (file) => {
    await expect(replay(load(file), file)).resolves.toBeUndefined();
  });

  it('fails a doctored history with a determinism error', async () => {
    const history = load('payment-saga-success.json');
    const scheduled = history.events.filter((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    expect(scheduled[1]?.activityTaskScheduledEventAttributes.activityType.name).toBe('reserveStock');
    // As if the code had once locked the coupon before reserving stock: the current code no longer matches.
    scheduled[1]!.activityTaskScheduledEventAttributes.activityType.name = 'lockCoupon';
    await expect(replay(history, 'doctored')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
