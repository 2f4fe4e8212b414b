import type { WindowSummary } from '../load/stats-window.ts';
import type { SloView } from '../protocol/run.ts';

export interface SloVerdict {
  met: boolean;
  /** Null when the window held no traffic. */
  successPct: number | null;
  latencyMs: number | null;
  requests: number;
  /** Why it is not met, in words for the timeline. */
  reasons: string[];
}

/**
 * Judges the SLO on the simulated users' own traffic over a window: success share (optionally counting 429s
 * as served, for load-shedding scenarios) and one latency percentile. No traffic is not "met".
 */
export function judgeSlo(summary: WindowSummary, slo: SloView): SloVerdict {
  if (summary.count === 0)
    return { met: false, successPct: null, latencyMs: null, requests: 0, reasons: ['no traffic in the window'] };
  const served = summary.outcomes.ok + (slo.rateLimitedCountsAsSuccess ? summary.outcomes.rate_limited : 0);
  const successPct = (100 * served) / summary.count;
  const l = summary.latencyMs;
  const latencyMs = l ? (slo.latencyPercentile === 50 ? l.p50 : slo.latencyPercentile === 95 ? l.p95 : l.p99) : null;
  const reasons: string[] = [];
  if (successPct < slo.successPct) reasons.push(`success ${successPct.toFixed(2)} % < ${slo.successPct} %`);
  if (latencyMs === null) reasons.push('no request completed');
  else if (latencyMs > slo.latencyThresholdMs)
    reasons.push(`p${slo.latencyPercentile} ${Math.round(latencyMs)} ms > ${slo.latencyThresholdMs} ms`);
  return { met: reasons.length === 0, successPct, latencyMs, requests: summary.count, reasons };
}
