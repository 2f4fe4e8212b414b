import type { Histogram } from 'hdr-histogram-js';
import type { JourneyName } from './plan-schema.ts';
import { journeyNames } from './plan-schema.ts';
import type { OutcomeCounts, OutcomeKind } from './outcome.ts';
import { emptyOutcomeCounts, isCompleted } from './outcome.ts';
import type { HistogramPool, LatencyMs } from './histograms.ts';
import { latencyOf, p95Of, recordMs } from './histograms.ts';

/**
 * What the simulated users experienced in one wall-clock second. Every request is attributed to the second
 * it was SCHEDULED in (not the one it finished in), so a second is reported once all its requests have
 * settled: normally just after it ends, at most timeoutMs later under overload. Per second:
 * offered = sent + dropped, sent = completed + timeout + connection, offered = sum of `outcomes`.
 */
export interface SecondStats {
  /** The second, in epoch seconds. */
  t: number;
  /** Requests the plan scheduled in this second. */
  offered: number;
  /** Requests actually sent (offered minus dropped). */
  sent: number;
  /** Requests that got an HTTP response, whatever its status. */
  completed: number;
  /** Requests by outcome kind; they add up to `offered`. */
  outcomes: OutcomeCounts;
  /**
   * 100 * ok / offered: the share of the requests scheduled in this second that succeeded, counting every
   * outcome (dropped and timeouts included) in the denominator. Null when nothing was scheduled.
   */
  successPct: number | null;
  /** Latency from the scheduled send time (the send, if under 2 ms late) to the end of the response body, over
   * completed requests; null if none. */
  latencyMs: LatencyMs | null;
  /** Per journey: requests scheduled, how many were ok, and the p95 latency of its completed requests. */
  journeys: Record<JourneyName, { count: number; ok: number; p95Ms: number | null }>;
  /** Checkout requests answered 201 (an order was created). */
  ordersCreated: number;
  /** Requests outstanding when the second ended. */
  inFlight: number;
}

/** One second being filled; requests keep a reference to the bucket of their scheduled second. */
export interface SecondBucket {
  readonly t: number;
  offered: number;
  sent: number;
  /** Requests sent and not yet settled. */
  pending: number;
  outcomes: OutcomeCounts;
  ordersCreated: number;
  inFlightAtEnd: number | null;
  latency: Histogram | null;
  journeys: Record<JourneyName, { count: number; ok: number; latency: Histogram | null }>;
  done: boolean;
}

export function createBucket(t: number): SecondBucket {
  const journeys = {} as SecondBucket['journeys'];
  for (const j of journeyNames) journeys[j] = { count: 0, ok: 0, latency: null };
  return {
    t,
    offered: 0,
    sent: 0,
    pending: 0,
    outcomes: emptyOutcomeCounts(),
    ordersCreated: 0,
    inFlightAtEnd: null,
    latency: null,
    journeys,
    done: false,
  };
}

/** Counts one request as offered; `sent` says whether it went out (false: dropped at the in-flight cap). */
export function countOffered(bucket: SecondBucket, journey: JourneyName, sent: boolean): void {
  bucket.offered++;
  bucket.journeys[journey].count++;
  if (sent) {
    bucket.sent++;
    bucket.pending++;
  } else {
    bucket.outcomes.dropped++;
  }
}

/** Records how a sent request settled; `latencyMs` is only used for completed kinds. */
export function countSettled(
  bucket: SecondBucket,
  pool: HistogramPool,
  journey: JourneyName,
  kind: OutcomeKind,
  latencyMs: number,
  orderCreated: boolean,
): void {
  if (bucket.done) return; // settled after its second was force-reported; Prometheus still counts it
  bucket.pending--;
  bucket.outcomes[kind]++;
  const j = bucket.journeys[journey];
  if (kind === 'ok') j.ok++;
  if (orderCreated) bucket.ordersCreated++;
  if (isCompleted(kind)) {
    recordMs((bucket.latency ??= pool.take()), latencyMs);
    recordMs((j.latency ??= pool.take()), latencyMs);
  }
}

/** Turns a finished bucket into its report, giving the per-journey histograms back to the pool. */
export function toSecondStats(bucket: SecondBucket, pool: HistogramPool): SecondStats {
  const o = bucket.outcomes;
  const journeys = {} as SecondStats['journeys'];
  for (const name of journeyNames) {
    const j = bucket.journeys[name];
    journeys[name] = { count: j.count, ok: j.ok, p95Ms: p95Of(j.latency) };
    if (j.latency) pool.give(j.latency);
    j.latency = null;
  }
  bucket.done = true;
  return {
    t: bucket.t,
    offered: bucket.offered,
    sent: bucket.sent,
    completed: o.ok + o.client + o.rate_limited + o.server,
    outcomes: { ...o },
    successPct: bucket.offered > 0 ? (100 * o.ok) / bucket.offered : null,
    latencyMs: latencyOf(bucket.latency),
    journeys,
    ordersCreated: bucket.ordersCreated,
    inFlight: bucket.inFlightAtEnd ?? 0,
  };
}
