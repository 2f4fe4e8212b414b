import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

// Latencies are recorded in microseconds, 1 µs .. 60 s, with 2 significant digits (values within 1 %):
// ~11 KB per histogram, so the 15 minutes of per-second histograms kept for summaries stay near 10 MB.
const highestMicros = 60_000_000;

/** Recycles histograms: one is taken per open second and journey, and given back when the second is done. */
export function createHistogramPool() {
  const free: Histogram[] = [];
  return {
    take(): Histogram {
      return (
        free.pop() ??
        hdr.build({
          bitBucketSize: 32,
          lowestDiscernibleValue: 1,
          highestTrackableValue: highestMicros,
          numberOfSignificantValueDigits: 2,
        })
      );
    },
    give(h: Histogram): void {
      h.reset();
      if (free.length < 64) free.push(h);
    },
  };
}
export type HistogramPool = ReturnType<typeof createHistogramPool>;

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
