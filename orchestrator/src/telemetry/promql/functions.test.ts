import { describe, expect, it } from 'vitest';
import { applyRangeFunction, bucketQuantile, extrapolatedRate, instantRate } from './functions.ts';

describe('extrapolatedRate (Prometheus algorithm)', () => {
  it('extrapolates to the window edges when samples are close to them', () => {
    // Window (0, 60s], samples every 10 s from 5 s to 55 s, +10 each: 50 over 50 s, extended by 5 s on both sides.
    const p = { ts: [5, 15, 25, 35, 45, 55].map((s) => s * 1000), vs: [100, 110, 120, 130, 140, 150] };
    expect(extrapolatedRate(p, 0, 60_000, false)).toBeCloseTo(60);
    expect(extrapolatedRate(p, 0, 60_000, true)).toBeCloseTo(1);
  });

  it('extrapolates only half an interval when the series starts or ends inside the window', () => {
    const p = { ts: [30_000, 40_000, 50_000], vs: [100, 110, 120] };
    // durationToStart 30 s > 1.1 * 10 s: +5 s; durationToEnd 10 s < 11 s: +10 s -> 20 * 35 / 20.
    expect(extrapolatedRate(p, 0, 60_000, false)).toBeCloseTo(35);
  });

  it('does not extrapolate a counter below zero', () => {
    const p = { ts: [10_000, 20_000, 30_000], vs: [2, 12, 22] };
    // durationToZero = 20 s * 2/20 = 2 s < durationToStart 10 s.
    expect(extrapolatedRate(p, 0, 30_000, false)).toBeCloseTo((20 * 22) / 20);
  });

  it('adds the value before a counter reset', () => {
    const p = { ts: [0, 10_000, 20_000, 30_000], vs: [10, 20, 5, 15] };
    // 15 - 10 + 20 = 25, samples at both edges, durationToZero = 30 * 10/25 = 12 s > 0.
    expect(extrapolatedRate(p, 0, 30_000, false)).toBeCloseTo(25);
    expect(extrapolatedRate({ ts: [0], vs: [1] }, 0, 30_000, true)).toBeUndefined();
  });
});

describe('other range functions', () => {
  const p = { ts: [0, 1000, 2000, 3000], vs: [5, 7, 7, 3] };
  it('irate uses the last two samples, a drop as a reset', () => {
    expect(instantRate(p)).toBe(3);
    expect(instantRate({ ts: [0, 2000], vs: [1, 5] })).toBe(2);
  });
  it('changes, avg/min/max_over_time', () => {
    expect(applyRangeFunction('changes', p, 0, 3000)).toBe(2);
    expect(applyRangeFunction('avg_over_time', p, 0, 3000)).toBe(5.5);
    expect(applyRangeFunction('min_over_time', p, 0, 3000)).toBe(3);
    expect(applyRangeFunction('max_over_time', p, 0, 3000)).toBe(7);
    expect(applyRangeFunction('max_over_time', { ts: [0, 1], vs: [NaN, 2] }, 0, 1)).toBe(2);
    expect(applyRangeFunction('changes', { ts: [0, 1], vs: [NaN, NaN] }, 0, 1)).toBe(0);
  });
});

describe('bucketQuantile (Prometheus interpolation)', () => {
  const b = (pairs: [number, number][]) => pairs.map(([upperBound, count]) => ({ upperBound, count }));
  it('interpolates linearly inside the bucket holding the rank', () => {
    const buckets = b([
      [0.1, 50],
      [0.5, 90],
      [1, 100],
      [Infinity, 100],
    ]);
    expect(bucketQuantile(0.5, buckets)).toBeCloseTo(0.1);
    expect(bucketQuantile(0.7, buckets)).toBeCloseTo(0.1 + 0.4 * (20 / 40));
    expect(bucketQuantile(0.25, buckets)).toBeCloseTo(0.05); // first bucket starts at 0
  });
  it('returns the highest finite bound for ranks in +Inf, and NaN without +Inf or observations', () => {
    expect(
      bucketQuantile(
        0.99,
        b([
          [0.1, 10],
          [Infinity, 100],
        ]),
      ),
    ).toBe(0.1);
    expect(
      bucketQuantile(
        0.5,
        b([
          [0.1, 10],
          [1, 20],
        ]),
      ),
    ).toBeNaN();
    expect(
      bucketQuantile(
        0.5,
        b([
          [0.1, 0],
          [Infinity, 0],
        ]),
      ),
    ).toBeNaN();
  });
  it('handles q out of range, unsorted, duplicated and non-monotonic buckets', () => {
    expect(
      bucketQuantile(
        -1,
        b([
          [1, 1],
          [Infinity, 1],
        ]),
      ),
    ).toBe(-Infinity);
    expect(
      bucketQuantile(
        2,
        b([
          [1, 1],
          [Infinity, 1],
        ]),
      ),
    ).toBe(Infinity);
    expect(
      bucketQuantile(
        0.5,
        b([
          [Infinity, 10],
          [1, 4],
          [1, 6],
          [0.5, 0],
        ]),
      ),
    ).toBeCloseTo(0.75);
    expect(
      bucketQuantile(
        0.5,
        b([
          [1, 10],
          [2, 8],
          [Infinity, 20],
        ]),
      ),
    ).toBeCloseTo(1);
  });
});
