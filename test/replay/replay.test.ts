import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../provision/tools';
import { asyncGatewayPatch } from '../../workflows';
import '../support/context';

const historiesDir = join(projectRoot, 'test', 'histories');
// Current histories at the top; those of older workflow code in `before-<change>/` folders.
const files = readdirSync(historiesDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string) =>
  JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as { events: Record<string, any>[] };
const replay = (history: unknown, workflowId: string) =>
  Worker.runReplayHistory(
    { workflowBundle: { codePath: inject('workflowBundlePath') } },
    history, // JSON: the replayer converts it (the SDK's converter is internal)
    workflowId,
  );

/** The patch ids a history's `patched()` markers carry. */
const patches = (history: { events: Record<string, any>[] }) =>
  history.events
    .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
    .map((e) => {
      const data = String(e.markerRecordedEventAttributes.details['patch-data'].payloads[0].data);
      return (JSON.parse(Buffer.from(data, 'base64').toString()) as { id: string }).id;
    });

describe('recorded histories replay against the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it.each(files)('%s', async (file) => {
    await expect(replay(load(file), file)).resolves.toBeUndefined();
  });

  it('keeps both sides of the async-gateway patch: old runs without its marker, new runs with it', () => {
    const old = files.filter((f) => f.startsWith('before-async-gateway/'));
    const current = files.filter((f) => !f.includes('/') && /^(payment-saga|checkout|flash-sale)/.test(f));
    expect(old.length).toBeGreaterThanOrEqual(3);
    expect(current.length).toBeGreaterThanOrEqual(3);
    for (const f of old) expect(patches(load(f))).not.toContain(asyncGatewayPatch);
    // Every new run that reached the charge step took the new path.
    for (const f of current.filter((f) => !f.includes('cancelled')))
      expect(patches(load(f))).toContain(asyncGatewayPatch);
  });

  it('keeps the runs started with a card number, and records the current ones with a token only', () => {
    // Every payload's data, decoded: the JSON the workflow and its activities saw.
    const decoded = (f: string) =>
      JSON.stringify(load(f), (k, v: unknown) =>
        k === 'data' && typeof v === 'string' ? Buffer.from(v, 'base64').toString() : v,
      );
    const old = files.filter((f) => f.startsWith('before-payment-methods/'));
    expect(old.length).toBeGreaterThanOrEqual(3);
    const withCard = (f: string) => /\\"card\\":\{\\"number\\":\\"\d{16}\\"/.test(decoded(f));
    expect(old.filter((f) => !withCard(f))).toEqual([]);
    const current = files.filter((f) => !f.includes('/'));
    expect(current.filter((f) => withCard(f) || /cardNumber|\d{16}/.test(decoded(f)))).toEqual([]);
    expect(decoded('payment-saga-success.json')).toContain('\\"paymentMethod\\":\\"pm_card_success\\"');
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
