import type * as workflow from '@temporalio/workflow';
import { describe, expect, it, vi } from 'vitest';

// The meter a workflow would get from the worker, faked so the names the saga asks for are seen.
const created = vi.hoisted(() => ({
  counters: [] as string[],
  histograms: [] as string[],
  added: [] as string[],
  addedTags: [] as (Record<string, string> | undefined)[],
  recorded: [] as Record<string, string>[],
}));
vi.mock('@temporalio/workflow', async (original) => {
  const meter = {
    withTags: () => meter,
    createCounter: (name: string) => {
      created.counters.push(name);
      return {
        add: (_v: number, tags?: Record<string, string>) => {
          created.added.push(name);
          created.addedTags.push(tags);
        },
      };
    },
    createHistogram: (name: string) => {
      created.histograms.push(name);
      return { record: (_v: number, tags: Record<string, string>) => created.recorded.push(tags) };
    },
  };
  return { ...(await original<typeof workflow>()), metricMeter: meter };
});

const { sagaMetrics } = await import('../../workflows/saga/metrics');

describe('saga metrics are named by the options, and off when asked', () => {
  it('names every metric with the given prefix and counts an abort as aborted', () => {
    created.counters.length = created.added.length = 0;
    const metrics = sagaMetrics('someFlow', { prefix: 'shop' });
    expect(created.counters.sort()).toEqual([
      'shop_aborted',
      'shop_cancelled',
      'shop_compensated',
      'shop_completed',
      'shop_needs_attention',
      'shop_started',
    ]);
    expect(created.histograms).toContain('shop_step_duration');
    metrics.count('ABORTED');
    metrics.count('RUNNING'); // no counter: not counted
    expect(created.added).toEqual(['shop_aborted']);
    // A named business outcome is an abort too, labelled with its name: no counter of its own.
    created.added.length = created.addedTags.length = 0;
    for (const status of ['REJECTED', 'WITHDRAWN', 'EXPIRED'] as const) metrics.count(status);
    expect(created.added).toEqual(['shop_aborted', 'shop_aborted', 'shop_aborted']);
    expect(created.addedTags).toEqual([{ outcome: 'REJECTED' }, { outcome: 'WITHDRAWN' }, { outcome: 'EXPIRED' }]);
  });

  it('creates no metric at all when metrics are off', () => {
    created.counters.length = created.histograms.length = created.added.length = 0;
    const metrics = sagaMetrics('someFlow', false);
    metrics.count('COMPLETED');
    metrics.step('a', 'done', 5);
    expect([...created.counters, ...created.histograms, ...created.added]).toEqual([]);
  });

  it('labels step durations from a closed set: a step per business id is measured by its kind', () => {
    created.recorded.length = 0;
    const metrics = sagaMetrics('approvalFlow', { prefix: 'saga' });
    for (const account of ['acc-1', 'acc-2', 'acc-3']) metrics.step(`hold-budget:${account}`, 'done', 5);
    metrics.step('charge-card', 'failed', 7);
    expect(new Set(created.recorded.map((t) => t.step))).toEqual(new Set(['hold-budget', 'charge-card']));
    expect(created.recorded.map((t) => t.outcome)).toEqual(['done', 'done', 'done', 'failed']);
  });
});
