import type { ExemplarSeries } from './types.ts';

export interface ExemplarPoint {
  /** Epoch seconds. */
  t: number;
  /** The request's latency in seconds. */
  y: number;
  traceId: string;
  title: string;
}

/**
 * Exemplars as chart points: one per trace (a trace's request is counted by every hop, so the same trace id can
 * sit on several services' buckets; the slowest stands for it), at most `max`, the newest kept.
 */
export function toExemplarPoints(data: ExemplarSeries[], max = 60): ExemplarPoint[] {
  const byTrace = new Map<string, ExemplarPoint>();
  for (const s of data) {
    for (const e of s.exemplars) {
      const traceId = e.labels.trace_id;
      const y = Number(e.value);
      if (!traceId || !Number.isFinite(y)) continue;
      const seen = byTrace.get(traceId);
      if (seen && seen.y >= y) continue;
      const service = s.seriesLabels.service ?? s.seriesLabels.job ?? '';
      const route = s.seriesLabels.route ? ` ${s.seriesLabels.route}` : '';
      byTrace.set(traceId, {
        t: e.timestamp,
        y,
        traceId,
        title: `${service}${route}: ${(y * 1000).toFixed(0)} ms, trace ${traceId.slice(0, 8)}… (open the trace)`,
      });
    }
  }
  return [...byTrace.values()].sort((a, b) => a.t - b.t).slice(-max);
}
