import type { JourneyName } from './plan-schema.ts';
import { journeyNames } from './plan-schema.ts';
import type { OutcomeCounts } from './outcome.ts';
import { emptyOutcomeCounts, outcomeKinds } from './outcome.ts';
import type { LatencyMs } from './histograms.ts';
import {
  addCounts,
  countsOf,
  createHistogramPool,
  createSumHistogram,
  type LatencyCounts,
  latencyOf,
} from './histograms.ts';
import type { SecondBucket, SecondStats } from './second-stats.ts';
import { createBucket, toSecondStats } from './second-stats.ts';

/** The simulated users' experience merged over the last whole seconds reported (what the SLO judge reads). */
export interface WindowSummary {
  /** Seconds covered: the window asked for, or fewer when the run is younger. */
  seconds: number;
  /** First and last second covered, in epoch seconds; null when nothing was reported yet. */
  fromT: number | null;
  toT: number | null;
  /** Requests scheduled in the window (every outcome, dropped included). */
  count: number;
  ok: number;
  /** 100 * ok / count, as in SecondStats; null when nothing was scheduled. */
  successPct: number | null;
  outcomes: OutcomeCounts;
  /** Latency from scheduled send time, over completed requests in the window. */
  latencyMs: LatencyMs | null;
  journeys: Record<JourneyName, { count: number; ok: number }>;
  ordersCreated: number;
}

/** Seconds of reports (and their latencies, as bucket counts) kept: 15 minutes. */
export const retentionSeconds = 900;

/**
 * Per-second accounting of a run: buckets open from the second they start until all their requests have
 * settled, then reported in order and kept for `retentionSeconds`.
 */
export function createStatsWindow() {
  const pool = createHistogramPool();
  const open: SecondBucket[] = [];
  const reports: SecondStats[] = [];
  const latencies: (LatencyCounts | null)[] = []; // parallel to reports, for summaries
  const merged = createSumHistogram();

  /** The bucket of epoch second `t`, creating the empty seconds before it so reports have no gaps. */
  function bucketAt(t: number): SecondBucket {
    const last = open[open.length - 1];
    if (last && t <= last.t) {
      for (let i = open.length - 1; i >= 0; i--) if (open[i].t === t) return open[i];
      return open[0]; // a second already reported: can only happen on a clock step back, count it in the oldest open one
    }
    const first = last ? last.t + 1 : (reports[reports.length - 1]?.t ?? t - 1) + 1;
    const target = Math.max(t, first);
    // After a long stall, fill no more empty seconds than are kept.
    for (let next = Math.max(first, target - retentionSeconds); next <= target; next++) open.push(createBucket(next));
    return open[open.length - 1];
  }

  /** Notes the in-flight count on every open second that has ended by `nowMs`. */
  function markEnded(nowMs: number, inFlight: number): void {
    for (const b of open) {
      if ((b.t + 1) * 1000 > nowMs) break;
      b.inFlightAtEnd ??= inFlight;
    }
  }

  /**
   * Reports, in order, the seconds that have ended and whose requests have all settled; a second is
   * reported anyway `maxWaitMs` after it ended (a request's timeout bounds how long it stays pending).
   */
  function collect(nowMs: number, maxWaitMs: number, force = false): SecondStats[] {
    const out: SecondStats[] = [];
    while (open.length > 0) {
      const b = open[0];
      const endMs = (b.t + 1) * 1000;
      if (!force && !(endMs <= nowMs && (b.pending === 0 || nowMs >= endMs + maxWaitMs))) break;
      open.shift();
      const stats = toSecondStats(b, pool);
      reports.push(stats);
      // Nothing is recorded into a reported second (countSettled checks `done`): its histogram goes back.
      latencies.push(b.latency ? countsOf(b.latency) : null);
      if (b.latency) pool.give(b.latency);
      b.latency = null;
      if (reports.length > retentionSeconds) {
        reports.shift();
        latencies.shift();
      }
      out.push(stats);
    }
    return out;
  }

  function recent(seconds: number): SecondStats[] {
    return seconds <= 0 ? [] : reports.slice(-Math.floor(seconds));
  }

  function summary(windowSeconds: number): WindowSummary {
    const n = Math.max(0, Math.min(Math.floor(windowSeconds), reports.length));
    const from = reports.length - n;
    const outcomes = emptyOutcomeCounts();
    const journeys = {} as WindowSummary['journeys'];
    for (const j of journeyNames) journeys[j] = { count: 0, ok: 0 };
    let count = 0;
    let ordersCreated = 0;
    merged.reset();
    for (let i = from; i < reports.length; i++) {
      const r = reports[i];
      count += r.offered;
      ordersCreated += r.ordersCreated;
      for (const k of outcomeKinds) outcomes[k] += r.outcomes[k];
      for (const j of journeyNames) {
        journeys[j].count += r.journeys[j].count;
        journeys[j].ok += r.journeys[j].ok;
      }
      const c = latencies[i];
      if (c) addCounts(merged, c);
    }
    return {
      seconds: n,
      fromT: n > 0 ? reports[from].t : null,
      toT: n > 0 ? reports[reports.length - 1].t : null,
      count,
      ok: outcomes.ok,
      successPct: count > 0 ? (100 * outcomes.ok) / count : null,
      outcomes,
      latencyMs: latencyOf(merged),
      journeys,
      ordersCreated,
    };
  }

  /** Forgets everything (a new run). */
  function clear(): void {
    collect(0, 0, true);
    reports.length = 0;
    latencies.length = 0;
  }

  return {
    pool,
    bucketAt,
    markEnded,
    collect,
    recent,
    summary,
    clear,
    get openSeconds() {
      return open.length;
    },
  };
}
export type StatsWindow = ReturnType<typeof createStatsWindow>;
