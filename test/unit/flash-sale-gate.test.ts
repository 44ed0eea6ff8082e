import { describe, expect, it } from 'vitest';
import { shardOf, shareOf } from '../../services/inventory/gate';

describe('the flash-sale gate: units over shards, buyers to their home shard', () => {
  it.each([
    [100, 8],
    [7, 8],
    [0, 3],
    [1, 1],
  ])('%i units over %i shards add up to the units, no shard more than one above another', (units, shards) => {
    const parts = Array.from({ length: shards }, (_, i) => shareOf(units, shards, i));
    expect(parts.reduce((s, n) => s + n, 0)).toBe(units);
    expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
  });

  it('routes a buyer to the same shard every time, and spreads buyers over all shards', () => {
    expect(shardOf('buyer-42', 8)).toBe(shardOf('buyer-42', 8));
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOf(`buyer-${i}`, 8)]! += 1;
    expect(counts.every((n) => n > 800 && n < 1200)).toBe(true);
    expect(shardOf('anyone', 1)).toBe(0);
  });
});
