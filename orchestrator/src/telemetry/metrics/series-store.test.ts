import { describe, expect, it } from 'vitest';
import { createMatcher } from './label-matcher.ts';
import { BYTES_PER_SAMPLE, SeriesStore } from './series-store.ts';

const L = (name: string, extra: Record<string, string> = {}) => ({ __name__: name, job: 'j', instance: 'i', ...extra });

describe('SeriesStore', () => {
  it('keeps samples in time order and refuses out-of-order ones', () => {
    const store = new SeriesStore();
    expect(store.append(L('a'), 1000, 1)).toBe(true);
    expect(store.append(L('a'), 2000, 2)).toBe(true);
    expect(store.append(L('a'), 2000, 3)).toBe(false);
    expect(store.append(L('a'), 1500, 3)).toBe(false);
    const [s] = store.select([createMatcher('=', '__name__', 'a')]);
    expect([s.timeAt(0), s.valueAt(1), s.length]).toEqual([1000, 2, 2]);
    expect(s.lastIndexAtOrBefore(1999)).toBe(0);
    expect(s.lastIndexAtOrBefore(999)).toBe(-1);
  });

  it('drops samples past the retention and series left empty', () => {
    const store = new SeriesStore({ retentionMs: 10_000 });
    for (let t = 0; t <= 20_000; t += 1000) store.append(L('a'), t, t);
    store.append(L('b'), 0, 1);
    store.gc(20_000);
    const [a] = store.select([createMatcher('=', '__name__', 'a')]);
    expect(a.timeAt(0)).toBe(10_000);
    expect(store.seriesCount()).toBe(1);
  });

  it('bounds memory: samples per series and number of series are capped', () => {
    const store = new SeriesStore({ maxSamplesPerSeries: 100, maxSeries: 3, retentionMs: 1e12 });
    for (let t = 0; t < 1000; t++) store.append(L('a'), t, t);
    for (let i = 0; i < 5; i++) store.append(L('b', { i: String(i) }), 1, 1);
    expect(store.sampleCount()).toBe(102);
    expect(store.seriesCount()).toBe(3);
    expect(store.droppedSamples).toBe(3);
    const [a] = store.select([createMatcher('=', '__name__', 'a')]);
    expect(a.timeAt(0)).toBe(900);
    expect(store.memoryBytes()).toBeGreaterThanOrEqual((100 + 32 + 32) * BYTES_PER_SAMPLE);
    expect(store.memoryBytes()).toBeLessThan(10_000);
  });

  it('writes a staleness marker once, only for a series that has samples', () => {
    const store = new SeriesStore();
    expect(store.markStale(L('a'), 1000)).toBe(false);
    store.append(L('a'), 1000, 1);
    expect(store.markStale(L('a'), 2000)).toBe(true);
    expect(store.markStale(L('a'), 3000)).toBe(false);
    const [a] = store.select([createMatcher('=~', '__name__', 'a|b')]);
    expect([a.length, a.isStaleAt(1)]).toEqual([2, true]);
  });

  it('selects with all four matcher kinds, a missing label matching ""', () => {
    const store = new SeriesStore();
    store.append(L('m', { code: '200' }), 1, 1);
    store.append(L('m', { code: '500' }), 1, 1);
    store.append(L('m'), 1, 1);
    const codes = (op: '=' | '!=' | '=~' | '!~', v: string) =>
      store
        .select([createMatcher('=', '__name__', 'm'), createMatcher(op, 'code', v)])
        .map((s) => s.labels.code ?? '-')
        .sort();
    expect(codes('=', '200')).toEqual(['200']);
    expect(codes('!=', '200')).toEqual(['-', '500']);
    expect(codes('=~', '5..')).toEqual(['500']);
    expect(codes('!~', '5..')).toEqual(['-', '200']);
    expect(codes('=', '')).toEqual(['-']);
    expect(codes('=~', '2')).toEqual([]); // anchored
  });
});
