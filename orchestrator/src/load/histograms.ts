import * as hdr from 'hdr-histogram-js';
import type { Histogram, JsHistogram } from 'hdr-histogram-js';

// Latencies are recorded in microseconds, 1 µs .. 60 s, with 2 significant digits (values within 1 %).
const highestMicros = 60_000_000;
const histogramOf = (bitBucketSize: 16 | 32) =>
  hdr.build({
    bitBucketSize,
    lowestDiscernibleValue: 1,
    highestTrackableValue: highestMicros,
    numberOfSignificantValueDigits: 2,
  });

/**
 * Recycles the histograms of open seconds: one is taken per open second and journey, and given back when the
 * second is reported. Their counts are 16-bit (~5.6 KB each instead of ~11 KB): a second holds at most the plan's
 * rate, and maxPlanRps (5 000) is far below the 65 535 one bucket can count.
 */
export function createHistogramPool() {
  const free: Histogram[] = [];
  return {
    take(): Histogram {
      return free.pop() ?? histogramOf(16);
    },
    give(h: Histogram): void {
      h.reset();
      if (free.length < 64) free.push(h);
    },
  };
}
export type HistogramPool = ReturnType<typeof createHistogramPool>;

/** A histogram that sums many seconds (a summary's window): 32-bit counts. */
export function createSumHistogram(): Histogram {
  return histogramOf(32);
}

/**
 * A reported second's latencies, kept 15 minutes for the SLO judge's windows: the histogram's non-empty buckets
 * as (value, count) pairs, interleaved. A second of a lesson's load (~100 requests) fills ~100 buckets at most:
 * under 1 KB instead of the 5.6 KB histogram, which goes back to the pool (15 minutes: <1 MB instead of ~5 MB).
 */
export type LatencyCounts = Uint32Array;

/**
 * The pairs of what `h` recorded; each value is its bucket's highest equivalent value, so adding them back into a
 * histogram of the same layout fills exactly the same buckets. `hdr.build` without WebAssembly (histogramOf)
 * returns a JsHistogram, whose recorded-values iterator is public API.
 */
export function countsOf(h: Histogram): LatencyCounts {
  const it = (h as JsHistogram).recordedValuesIterator;
  const pairs: number[] = [];
  it.reset();
  while (it.hasNext()) {
    const v = it.next();
    pairs.push(Math.min(v.valueIteratedTo, highestMicros), v.countAtValueIteratedTo);
  }
  return Uint32Array.from(pairs);
}

/** Adds a second's pairs to a sum histogram (createSumHistogram). */
export function addCounts(sum: Histogram, counts: LatencyCounts): void {
  for (let i = 0; i < counts.length; i += 2) sum.recordValueWithCount(counts[i], counts[i + 1]);
}

/** Records one latency given in milliseconds. */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.min(Math.max(Math.round(ms * 1000), 1), highestMicros));
}

/** Latency percentiles in milliseconds, or null when nothing was recorded. */
export interface LatencyMs {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

const ms = (micros: number) => Math.round(micros) / 1000;

export function latencyOf(h: Histogram | null): LatencyMs | null {
  if (!h || h.totalCount === 0) return null;
  return {
    p50: ms(h.getValueAtPercentile(50)),
    p95: ms(h.getValueAtPercentile(95)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
  };
}

export function p95Of(h: Histogram | null): number | null {
  return h && h.totalCount > 0 ? ms(h.getValueAtPercentile(95)) : null;
}
