import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../provision/tools';
import { asyncGatewayPatch } from '../../workflows';
import { deadlineTimerSummaryPatch } from '../../workflows/deadline';
import { loadConfig } from '../../config';
import { testCards } from '../../simulators/gateway/cards';
import { customerIdNotSearchablePatch } from '../../contracts/search-attributes';
import { AesGcmPayloadCodec, dataConverter } from '../../temporal-config/payload-codec';
import '../support/context';

const historiesDir = join(projectRoot, 'test', 'histories');
const keysOf = (value: string) => loadConfig({ PAYLOAD_KEYS: value }).payloadKeys;

/** A history JSON with every payload sealed by `codec`, as a worker with that key would have written it. */
async function sealHistory(history: unknown, codec: AesGcmPayloadCodec): Promise<unknown> {
  const seal = async (v: unknown): Promise<unknown> => {
    if (Array.isArray(v)) return Promise.all(v.map(seal));
    if (typeof v !== 'object' || v === null) return v;
    const o = v as Record<string, unknown>;
    if (Array.isArray(o.payloads) && !('indexedFields' in o)) {
      const payloads = (o.payloads as { metadata?: Record<string, string>; data?: string }[]).map((p) => ({
        metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, m]) => [k, Buffer.from(m, 'base64')])),
        data: Buffer.from(p.data ?? '', 'base64'),
      }));
      const sealed = await codec.encode(payloads);
      return {
        ...o,
        payloads: sealed.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, m]) => [k, Buffer.from(m).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? []).toString('base64'),
        })),
      };
    }
    // Search attributes and the SDK core's own markers (patches) are never encoded: leave them as recorded.
    if ('indexedFields' in o || 'markerName' in o) return o;
    return Object.fromEntries(await Promise.all(Object.entries(o).map(async ([k, x]) => [k, await seal(x)])));
  };
  return seal(history);
}
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
    const anyCard = (f: string) => Object.values(testCards).some((n) => decoded(f).includes(n));
    expect(current.filter((f) => withCard(f) || anyCard(f) || decoded(f).includes('cardNumber'))).toEqual([]);
    expect(decoded('payment-saga-success.json')).toContain('\\"paymentMethod\\":\\"pm_card_success\\"');
  });

  it('after a key rotation replays a history recorded under the old key; without it, names the key id', async () => {
    const key = () => randomBytes(32).toString('base64');
    const old = `kid0:${key()}`;
    const sealed = await sealHistory(load('payment-saga-success.json'), new AesGcmPayloadCodec(keysOf(old)));
    expect(JSON.stringify(sealed)).not.toContain(Buffer.from('cust-rec-success').toString('base64'));
    const withConverter = (keys: string) =>
      Worker.runReplayHistory(
        { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: dataConverter(keysOf(keys)) },
        sealed,
        'sealed',
      );
    await expect(withConverter(`kid1:${key()},${old}`)).resolves.toBeUndefined();
    // The replayer quotes the codec's message (its quotes escaped).
    await expect(withConverter(`kid1:${key()}`)).rejects.toThrow(
      /key id \\*"kid0\\*", which PAYLOAD_KEYS does not hold/,
    );
  });

  it('keeps both sides of the customer-id patch: old runs searchable by customer, new ones not', () => {
    const customerAttribute = (f: string) => JSON.stringify(load(f)).includes('"CustomerId"');
    const old = files.filter((f) => f.startsWith('before-customer-id-not-searchable/'));
    expect(old.length).toBeGreaterThanOrEqual(2);
    for (const f of old) expect(customerAttribute(f)).toBe(true);
    const current = files.filter((f) => !f.includes('/') && /^(payment-saga|checkout|refund-saga)/.test(f));
    for (const f of current) {
      expect(customerAttribute(f), f).toBe(false);
      expect(patches(load(f)), f).toContain(customerIdNotSearchablePatch);
    }
  });

  it('keeps both sides of the deadline-timer-summary patch: old runs with unnamed deadline timers, new ones named', () => {
    // The summary each timer started with ('' for none), decoded from its user metadata.
    const timerSummaries = (f: string) =>
      load(f)
        .events.filter((e) => e.eventType === 'EVENT_TYPE_TIMER_STARTED')
        .map((e) => {
          const data = e.userMetadata?.summary?.data as string | undefined;
          return data === undefined ? '' : (JSON.parse(Buffer.from(data, 'base64').toString()) as string);
        });
    const old = files.filter((f) => f.startsWith('before-deadline-timer-summary/'));
    expect(old.length).toBeGreaterThanOrEqual(5);
    for (const f of old) {
      expect(patches(load(f)), f).not.toContain(deadlineTimerSummaryPatch);
      expect(
        timerSummaries(f).filter((s) => s.startsWith('Unpaid deadline')),
        f,
      ).toEqual([]);
    }
    const deadline = 'Unpaid deadline: cancel order if not paid (during validate-order)';
    for (const f of ['payment-saga-success.json', 'payment-saga-unpaid-deadline.json', 'checkout-success.json']) {
      expect(patches(load(f)), f).toContain(deadlineTimerSummaryPatch);
      expect(timerSummaries(f), f).toContain(deadline);
    }
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
