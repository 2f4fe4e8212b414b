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
 * sit on several services' buckets; the slowest stands for it), then the slowest trace of each `slotSeconds`
 * slot of wall-clock time. Slots are aligned on the epoch, not on the window, so a point stays where it is while
 * the chart refreshes until it leaves the window: the diamond a learner is about to click does not vanish, and
 * the tail (what one opens a trace for) is what is kept.
 */
export function toExemplarPoints(data: ExemplarSeries[], slotSeconds = 5): ExemplarPoint[] {
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
  const bySlot = new Map<number, ExemplarPoint>();
  for (const p of byTrace.values()) {
    const slot = Math.floor(p.t / slotSeconds);
    const kept = bySlot.get(slot);
    // Ties go to the smaller trace id, so the same data always gives the same point.
    if (!kept || p.y > kept.y || (p.y === kept.y && p.traceId < kept.traceId)) bySlot.set(slot, p);
  }
  return [...bySlot.values()].sort((a, b) => a.t - b.t);
}
