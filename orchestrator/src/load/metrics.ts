import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { journeyNames, type JourneyName } from './plan-schema.ts';
import { outcomeKinds, type OutcomeKind } from './outcome.ts';

export const requestDurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The load generator's own Prometheus metrics, on a registry of its own (never prom-client's global one).
 * Counters count when a request settles; latency is from the scheduled send time (from the send itself when
 * that was at most 2 ms late: the timer's resolution, see generator.ts).
 */
export function createLoadMetrics(gauges: { targetRps: () => number; inFlight: () => number }) {
  const registry = new Registry();
  const requests = new Counter({
    name: 'loadgen_requests_total',
    help: 'Requests of the simulated users by journey and outcome (ok, client, rate_limited, server, timeout, connection, dropped).',
    labelNames: ['journey', 'outcome'] as const,
    registers: [registry],
  });
  // Every journey × outcome series exists from the start at 0, as Prometheus's instrumentation guide advises: a
  // series born on its first increment hides that increment from rate() (its first sample is already 1), so the
  // first timeouts of an incident would not show on the panels.
  for (const journey of journeyNames) for (const outcome of outcomeKinds) requests.inc({ journey, outcome }, 0);
  const duration = new Histogram({
    name: 'loadgen_request_duration_seconds',
    help: 'Latency of completed requests, from their scheduled send time (or the send, if under 2 ms late) to the end of the response.',
    labelNames: ['journey'] as const,
    buckets: requestDurationBuckets,
    registers: [registry],
  });
  const offered = new Counter({
    name: 'loadgen_offered_requests_total',
    help: 'Requests the load plan scheduled, sent or not.',
    registers: [registry],
  });
  new Gauge({
    name: 'loadgen_target_rps',
    help: 'Arrival rate the load plan asks for now, in requests per second.',
    registers: [registry],
    collect() {
      this.set(gauges.targetRps());
    },
  });
  new Gauge({
    name: 'loadgen_in_flight',
    help: 'Requests sent and not yet settled.',
    registers: [registry],
    collect() {
      this.set(gauges.inFlight());
    },
  });
  const orders = new Counter({
    name: 'loadgen_orders_created_total',
    help: 'Checkout requests answered 201 Created.',
    registers: [registry],
  });

  return {
    registry,
    offered: () => offered.inc(),
    settled(journey: JourneyName, outcome: OutcomeKind, latencySeconds: number | null, orderCreated: boolean): void {
      requests.inc({ journey, outcome });
      if (latencySeconds !== null) duration.observe({ journey }, latencySeconds);
      if (orderCreated) orders.inc();
    },
  };
}
export type LoadMetrics = ReturnType<typeof createLoadMetrics>;
