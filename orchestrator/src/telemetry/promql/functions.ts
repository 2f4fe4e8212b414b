import type { RangeFunction } from './ast.ts';

/** Samples of one series inside a range window, oldest first, without staleness markers. */
export interface Points {
  ts: number[];
  vs: number[];
}

/**
 * Prometheus's extrapolatedRate (promql/functions.go): the increase between the first and last sample, corrected
 * for counter resets, extrapolated towards the window edges (at most half an average sample interval further
 * when the series does not reach the edge, and never below zero for counters). `rate` divides by the range.
 */
export function extrapolatedRate(
  p: Points,
  rangeStartMs: number,
  rangeEndMs: number,
  isRate: boolean,
): number | undefined {
  const n = p.ts.length;
  if (n < 2) return undefined;
  let result = p.vs[n - 1] - p.vs[0];
  let prev = p.vs[0];
  for (let i = 1; i < n; i++) {
    if (p.vs[i] < prev) result += prev; // counter reset: the counter restarted from zero
    prev = p.vs[i];
  }
  let durationToStart = (p.ts[0] - rangeStartMs) / 1000;
  const durationToEnd = (rangeEndMs - p.ts[n - 1]) / 1000;
  const sampledInterval = (p.ts[n - 1] - p.ts[0]) / 1000;
  const averageBetweenSamples = sampledInterval / (n - 1);
  if (result > 0 && p.vs[0] >= 0) {
    const durationToZero = sampledInterval * (p.vs[0] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetweenSamples * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2;
  extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2;
  result *= extrapolateTo / sampledInterval;
  if (isRate) result /= (rangeEndMs - rangeStartMs) / 1000;
  return result;
}

/** Per-second rate from the last two samples; a drop counts as a reset to zero. */
export function instantRate(p: Points): number | undefined {
  const n = p.ts.length;
  if (n < 2) return undefined;
  const last = p.vs[n - 1];
  const prev = p.vs[n - 2];
  const delta = last < prev ? last : last - prev;
  const dt = (p.ts[n - 1] - p.ts[n - 2]) / 1000;
  if (dt === 0) return undefined;
  return delta / dt;
}

export function changes(p: Points): number {
  let n = 0;
  for (let i = 1; i < p.vs.length; i++) {
    const a = p.vs[i - 1];
    const b = p.vs[i];
    if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) n++;
  }
  return n;
}

export function applyRangeFunction(
  fn: RangeFunction,
  p: Points,
  rangeStartMs: number,
  rangeEndMs: number,
): number | undefined {
  if (p.ts.length === 0) return undefined;
  switch (fn) {
    case 'rate':
      return extrapolatedRate(p, rangeStartMs, rangeEndMs, true);
    case 'increase':
      return extrapolatedRate(p, rangeStartMs, rangeEndMs, false);
    case 'irate':
      return instantRate(p);
    case 'changes':
      return changes(p);
    case 'avg_over_time': {
      let sum = 0;
      for (const v of p.vs) sum += v;
      return sum / p.vs.length;
    }
    case 'max_over_time': {
      let m = p.vs[0];
      for (const v of p.vs) if (v > m || Number.isNaN(m)) m = v;
      return m;
    }
    case 'min_over_time': {
      let m = p.vs[0];
      for (const v of p.vs) if (v < m || Number.isNaN(m)) m = v;
      return m;
    }
  }
}

export interface Bucket {
  upperBound: number;
  count: number;
}

/**
 * Prometheus's bucketQuantile (promql/quantile.go): sort by upper bound, merge equal bounds, force counts to be
 * monotonic, find the bucket holding rank q*total and interpolate linearly inside it. NaN without a +Inf bucket
 * or without observations; the highest finite bound when the rank falls in the +Inf bucket.
 */
export function bucketQuantile(q: number, input: Bucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...input].sort((a, b) => a.upperBound - b.upperBound);
  if (sorted.length === 0 || sorted[sorted.length - 1].upperBound !== Infinity) return NaN;
  const buckets: Bucket[] = [];
  for (const b of sorted) {
    const last = buckets[buckets.length - 1];
    if (last && last.upperBound === b.upperBound) last.count += b.count;
    else buckets.push({ ...b });
  }
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else b.count = max; // ensureMonotonic
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if (buckets[i].count >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upperBound;
  if (b === 0 && buckets[0].upperBound <= 0) return buckets[0].upperBound;
  let bucketStart = 0;
  const bucketEnd = buckets[b].upperBound;
  let count = buckets[b].count;
  if (b > 0) {
    bucketStart = buckets[b - 1].upperBound;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}
