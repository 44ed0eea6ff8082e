import type * as workflow from '@temporalio/workflow';
import { describe, expect, it, vi } from 'vitest';

// The meter a workflow would get from the worker, faked so the names the saga asks for are seen.
const created = vi.hoisted(() => ({ counters: [] as string[], histograms: [] as string[], added: [] as string[] }));
vi.mock('@temporalio/workflow', async (original) => {
  const meter = {
    withTags: () => meter,
    createCounter: (name: string) => {
      created.counters.push(name);
      return { add: () => created.added.push(name) };
    },
    createHistogram: (name: string) => {
      created.histograms.push(name);
      return { record: () => undefined };
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
  });

  it('creates no metric at all when metrics are off', () => {
    created.counters.length = created.histograms.length = created.added.length = 0;
    const metrics = sagaMetrics('someFlow', false);
    metrics.count('COMPLETED');
    metrics.step('a', 'done', 5);
    expect([...created.counters, ...created.histograms, ...created.added]).toEqual([]);
  });
});
