import { describe, expect, it } from 'vitest';
import { addCounts, countsOf, createHistogramPool, createSumHistogram, latencyOf, recordMs } from './histograms.ts';

describe('a reported second kept as bucket counts', () => {
  it('sums to exactly what adding the histograms themselves gives, over the whole range', () => {
    const pool = createHistogramPool();
    const viaAdd = createSumHistogram();
    const viaCounts = createSumHistogram();
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const kept: Uint32Array[] = [];
    for (let second = 0; second < 120; second++) {
      const h = pool.take();
      for (let k = 0; k < 300; k++) recordMs(h, Math.exp(random() * 18 - 7)); // ~1 µs .. ~60 s
      if (second === 3) recordMs(h, 120_000); // above the range: clamped to 60 s when recorded
      viaAdd.add(h);
      const counts = countsOf(h);
      kept.push(counts);
      pool.give(h);
    }
    for (const c of kept) addCounts(viaCounts, c);
    expect(viaCounts.totalCount).toBe(120 * 300 + 1);
    expect(latencyOf(viaCounts)).toEqual(latencyOf(viaAdd));
    for (const p of [1, 10, 50, 90, 99, 99.9, 100]) {
      expect(viaCounts.getValueAtPercentile(p)).toBe(viaAdd.getValueAtPercentile(p));
    }
  });

  it('holds a lesson-like second in far less than its 5.6 KB histogram', () => {
    const pool = createHistogramPool();
    const h = pool.take();
    // 100 requests between 5 and 15 ms, and a tail of ten up to 1 s.
    for (let k = 0; k < 100; k++) recordMs(h, 5 + ((k * 7919) % 10_000) / 1000);
    for (let k = 1; k <= 10; k++) recordMs(h, k * 100);
    expect(countsOf(h).byteLength).toBeLessThan(1_000);
  });
});
