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
    const store = new SeriesStore({ maxSamplesPerSeries: 100, maxSeries: 3, retentionMs: 86_400_000 });
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

  it('allocates what a series holds, not double: the soak must not step up when rings fill', () => {
    const store = new SeriesStore();
    const [at3min, at10min] = [180, 600].map((n) => {
      for (let t = 0; t < n; t++) store.append(L('a', { n: String(n) }), t * 1000, t);
      return store.select([createMatcher('=', 'n', String(n))])[0].capacity;
    });
    // Two minutes of 1 s samples at most beyond what is held (doubling gave 256 and 1 024).
    expect(at3min).toBeGreaterThanOrEqual(180);
    expect(at3min).toBeLessThanOrEqual(180 + 120);
    expect(at10min).toBeLessThanOrEqual(600 + 120);
  });

  it('keeps whole-millisecond times exactly, past the ~24.8 days an Int32 offset from its base covers', () => {
    const day = 86_400_000;
    const store = new SeriesStore({ retentionMs: 20 * day, maxSamplesPerSeries: 10 });
    const start = Date.UTC(2026, 11, 5);
    for (const t of [start, start + 10 * day + 1, start + 25 * day + 2, start + 40 * day + 3]) {
      expect(store.append(L('a'), t, t / 1000)).toBe(true);
    }
    expect(store.append(L('a'), start + 40 * day + 3.4, 1)).toBe(false); // the same millisecond
    const [s] = store.select([createMatcher('=', '__name__', 'a')]);
    expect([0, 1].map((i) => [s.timeAt(i), s.valueAt(i)])).toEqual([
      [start + 25 * day + 2, (start + 25 * day + 2) / 1000],
      [start + 40 * day + 3, (start + 40 * day + 3) / 1000],
    ]);
    expect(() => new SeriesStore({ retentionMs: 25 * day })).toThrow(/retention/);
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
