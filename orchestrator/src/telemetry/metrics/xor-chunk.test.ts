import { describe, expect, it } from 'vitest';
import { decodeChunk, decodeTimes, encodeChunk, isStaleIn } from './xor-chunk.ts';

function roundTrip(times: number[], values: number[], stale: number[] = []) {
  const st = new Uint8Array(times.length);
  for (const i of stale) st[i] = 1;
  // Encoded from the middle of larger arrays, as the store seals [headStart, headEnd) of its head.
  const pad = (xs: number[]) => Float64Array.from([-1, ...xs, -1]);
  const c = encodeChunk(pad(times), pad(values), Uint8Array.from([0, ...st, 0]), 1, times.length + 1);
  return { c, ...decodeChunk(c) };
}

describe('XOR chunk', () => {
  it('gives back every value bit for bit, the awkward ones included', () => {
    const values = [
      0,
      -0,
      1,
      1,
      1,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      -1e-310,
      Number.MAX_VALUE,
      2 ** 53 + 2,
      0.1,
      0.2,
      0.30000000000000004,
      -123456.789,
      1e300,
      5e-324,
      42,
      42.5,
    ];
    const times = values.map((_, i) => 1_764_900_000_000 + i * 1000);
    const { c, ts, vs } = roundTrip(times, values);
    expect([...vs]).toEqual(values);
    expect(vs.map((v, i) => (Object.is(v, values[i]) ? 1 : 0)).every((x) => x === 1)).toBe(true);
    expect([...ts]).toEqual(times);
    expect([c.minT, c.maxT, c.count]).toEqual([times[0], times[19], 20]);
  });

  it('times every delta-of-delta bucket exactly, shrinking gaps and a gap of weeks included', () => {
    const steps = [1000, 1000, 1003, 997, 1060, 940, 5000, 1000, 9000, 1, 500_000, 1000, 21 * 86_400_000, 1000, 2];
    const times = [1_764_900_000_000];
    for (const d of steps) times.push(times[times.length - 1] + d);
    const values = times.map((_, i) => i);
    const { c, ts, vs } = roundTrip(times, values);
    expect([...ts]).toEqual(times);
    expect([...decodeTimes(c)]).toEqual(times);
    expect([...vs]).toEqual(values);
  });

  it('keeps staleness markers by index and a single sample alone', () => {
    const { c } = roundTrip([1000, 2000, 3000], [1, Number.NaN, 2], [1]);
    expect([0, 1, 2].map((i) => isStaleIn(c, i))).toEqual([false, true, false]);
    const one = roundTrip([5], [7.5]);
    expect([[...one.ts], [...one.vs], one.c.stale]).toEqual([[5], [7.5], null]);
  });

  it('takes a few bits a sample for what a scrape gives: a steady counter, a constant, a 1 s clock', () => {
    const times = Array.from({ length: 120 }, (_, i) => 1_764_900_000_000 + i * 1000 + (i % 3));
    const constant = roundTrip(
      times,
      times.map(() => 1),
    ).c;
    const counter = roundTrip(
      times,
      times.map((_, i) => i * 250),
    ).c;
    expect(constant.bytes.length).toBeLessThan(120 * 1.3); // 1 bit value, 1-9 bits time
    expect(counter.bytes.length).toBeLessThan(120 * 3.5);
  });
});
