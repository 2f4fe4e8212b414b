/**
 * Named signals a hint can watch: one PromQL expression each over the SUT and the simulated users, evaluated
 * by the telemetry hub (embedded) or Prometheus (stack). Scenario YAML refers to them by name.
 */
export const signals = {
  users_success_pct: {
    expr: '100 * sum(rate(loadgen_requests_total{outcome="ok"}[10s])) / sum(rate(loadgen_requests_total[10s]))',
    unit: '%',
    description: "Share of the simulated users' requests that succeeded, over 10 s.",
  },
  users_p95_ms: {
    expr: '1000 * histogram_quantile(0.95, sum by (le) (rate(loadgen_request_duration_seconds_bucket[10s])))',
    unit: 'ms',
    description: 'p95 latency seen by the simulated users, over 10 s.',
  },
  gateway_pending: {
    expr: 'sum(gateway_upstream_pool_pending_requests)',
    unit: 'requests',
    description: 'Requests waiting at the gateway for an upstream connection.',
  },
  gateway_p95_ms: {
    expr: '1000 * histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="gateway"}[10s])))',
    unit: 'ms',
    description: 'p95 latency at the gateway.',
  },
  api_p95_ms: {
    expr: '1000 * histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="api"}[10s])))',
    unit: 'ms',
    description: 'p95 latency inside the api.',
  },
  api_cpu_pct: {
    expr: '100 * sum(rate(process_cpu_seconds_total{service="api"}[10s]))',
    unit: '% of one core',
    description: 'CPU used by the api process.',
  },
  api_event_loop_lag_ms: {
    expr: '1000 * max(nodejs_eventloop_lag_p99_seconds{service="api"})',
    unit: 'ms',
    description: 'p99 event-loop lag of the api.',
  },
  api_heap_used_mb: {
    expr: 'max(nodejs_heap_size_used_bytes{service="api"}) / 1048576',
    unit: 'MiB',
    description: "The api main thread's live JavaScript heap.",
  },
  api_gc_pct: {
    expr: '100 * sum(rate(nodejs_gc_duration_seconds_sum{service="api"}[10s]))',
    unit: '% of the time',
    description: 'Share of time the api spent in garbage collection.',
  },
  worker_queue_depth: {
    expr: 'sum(worker_pool_queue_depth)',
    unit: 'tasks',
    description: 'Recommendation tasks waiting for a worker thread.',
  },
  api_db_pending: {
    expr: 'sum(db_pool_pending_requests{service="api"})',
    unit: 'callers',
    description: 'api callers waiting for a DB connection.',
  },
  inventory_db_p95_ms: {
    expr: '1000 * histogram_quantile(0.95, sum by (le) (rate(db_query_duration_seconds_bucket{service="inventory"}[10s])))',
    unit: 'ms',
    description: 'p95 SQL time in inventory.',
  },
  users_rate_limited_rps: {
    expr: 'sum(rate(loadgen_requests_total{outcome="rate_limited"}[10s]))',
    unit: 'req/s',
    description: 'Simulated requests answered 429.',
  },
  users_offered_rps: {
    expr: 'sum(rate(loadgen_offered_requests_total[10s]))',
    unit: 'req/s',
    description: 'Rate the simulated users send at.',
  },
} as const satisfies Record<string, { expr: string; unit: string; description: string }>;

export type SignalName = keyof typeof signals;
export const signalNames = Object.keys(signals) as [SignalName, ...SignalName[]];
