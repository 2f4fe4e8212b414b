import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

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
 * Recycles the histograms of single seconds: one is taken per open second and journey, and given back when the
 * second is done. Their counts are 16-bit (~5.6 KB each instead of ~11 KB): a second holds at most the plan's
 * rate, and maxPlanRps (5 000) is far below the 65 535 one bucket can count. The seconds' histograms are kept for
 * 15 minutes of summaries: ~5 MB instead of ~10 MB, filling over those 15 minutes (the soak bench's growth).
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
