import type { Panel } from './panel-schema.ts';
import { quantiles, W } from './panels-users.ts';

type Service = 'gateway' | 'api' | 'inventory';
const HTTP = 'http_server_request_duration_seconds';

/** Rate, errors and duration of one service, from its server-side request histogram. */
function redPanels(service: Service, role: string): Panel[] {
  const sel = `{service="${service}"}`;
  return [
    {
      id: `${service}-request-rate`,
      title: `${service}: requests per second by route`,
      section: service,
      kind: 'timeseries',
      unit: 'reqps',
      queries: [{ expr: `sum by (route) (rate(${HTTP}_count${sel}[${W}]))`, legend: '{{route}}' }],
      help: {
        shows: `Requests the ${service} (${role}) answered per second, by route template.`,
        healthy: 'Follows the load pattern; the mix of routes stays stable.',
        problem:
          'A drop while users keep sending means requests are stuck or failing before they reach this service; a rise beyond the load means retries.',
      },
    },
    {
      id: `${service}-error-ratio`,
      title: `${service}: server error ratio`,
      section: service,
      kind: 'timeseries',
      unit: 'percentunit',
      queries: [
        {
          expr: `clamp_min(1 - (sum(rate(${HTTP}_count{service="${service}",status_code!~"5.."}[${W}])) / sum(rate(${HTTP}_count${sel}[${W}]))), 0)`,
          legend: '5xx ratio',
        },
      ],
      help: {
        shows: `Share of the ${service}'s answers that were 5xx over the last 30 s.`,
        healthy: 'Zero.',
        problem:
          "Above 1 % the users' SLO is at risk. Read this service's error logs, then check the pools it waits on.",
      },
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.01, color: 'red' },
      ],
    },
    {
      id: `${service}-latency`,
      title: `${service}: latency p50 / p95 / p99`,
      section: service,
      kind: 'timeseries',
      unit: 'seconds',
      queries: quantiles(HTTP, 'le', sel),
      help: {
        shows: `Time the ${service} took to answer, measured inside the service, as percentiles over 30 s.`,
        healthy: 'p95 far below 250 ms and flat.',
        problem:
          'Compare with the next hop: when this service is slow but the one it calls is not, the time is spent here (CPU, a pool, a queue).',
      },
      thresholds: [
        { value: null, color: 'green' },
        { value: 0.25, color: 'red' },
      ],
    },
  ];
}

export const gatewayPanels: Panel[] = [
  ...redPanels('gateway', "the users' entry point"),
  {
    id: 'gateway-latency-per-hop',
    title: 'Latency p95 per hop',
    section: 'gateway',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (service, le) (rate(${HTTP}_bucket[${W}])))`,
        legend: '{{service}}',
      },
    ],
    help: {
      shows: 'p95 latency of every service side by side: gateway -> api -> inventory.',
      healthy: 'Each hop slightly slower than the one it calls, all well under 250 ms.',
      problem:
        'A large gap between a service and the one it calls shows where the time goes: gateway far above api means requests wait at the gateway (its upstream pool).',
    },
  },
  {
    id: 'gateway-upstream-pool',
    title: 'gateway: upstream connection pool',
    section: 'gateway',
    kind: 'timeseries',
    unit: 'short',
    queries: [
      { expr: 'max(gateway_upstream_pool_size)', legend: 'pool size' },
      { expr: 'sum(gateway_upstream_pool_connections{state="busy"})', legend: 'busy' },
      { expr: 'sum(gateway_upstream_pool_connections{state="free"})', legend: 'free' },
      { expr: 'sum(gateway_upstream_pool_pending_requests)', legend: 'waiting' },
    ],
    help: {
      shows:
        'Connections the gateway may open to the api (pool size), how many are busy or free, and requests waiting for one.',
      healthy: 'Busy well below the pool size, nothing waiting.',
      problem:
        'Busy equal to the pool size with a growing waiting line: the pool is saturated and users queue at the gateway even though the api is fast.',
    },
  },
  {
    id: 'gateway-upstream-errors',
    title: 'gateway: upstream errors, retries, rate limiting',
    section: 'gateway',
    kind: 'timeseries',
    unit: 'reqps',
    queries: [
      { expr: `sum by (kind) (rate(gateway_upstream_errors_total[${W}]))`, legend: 'error: {{kind}}' },
      { expr: `sum(rate(gateway_upstream_retries_total[${W}]))`, legend: 'retries' },
      { expr: `sum(rate(gateway_rate_limited_total[${W}]))`, legend: 'rate limited (429)' },
    ],
    help: {
      shows:
        "Failed calls from the gateway to the api by kind, retried calls, and requests refused by the gateway's rate limit.",
      healthy: 'All at zero.',
      problem:
        'Timeouts: the api is slow or the pool is full. Retries multiply the load on a struggling api. Rate limiting is deliberate load shedding.',
    },
  },
];

export const apiPanels: Panel[] = [
  ...redPanels('api', "the shop's business logic"),
  {
    id: 'api-worker-pool',
    title: 'api: recommendation worker pool',
    section: 'api',
    kind: 'timeseries',
    unit: 'short',
    queries: [
      { expr: 'max(worker_pool_threads)', legend: 'threads' },
      { expr: 'sum(worker_pool_active_tasks)', legend: 'active' },
      { expr: `sum(avg_over_time(worker_pool_queue_depth[10s]))`, legend: 'queued (10 s average)' },
    ],
    help: {
      shows: 'Worker threads that compute recommendations, how many are busy, and tasks waiting for a free one.',
      healthy: 'Active below the thread count, queue near zero.',
      problem: 'Active equal to the thread count with a growing queue while CPU is not saturated: too few workers.',
    },
  },
  {
    id: 'api-worker-pool-wait',
    title: 'api: worker pool wait p95',
    section: 'api',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (le) (rate(worker_pool_wait_seconds_bucket[${W}])))`,
        legend: 'p95 wait',
      },
    ],
    help: {
      shows: 'How long a recommendation task waited for a free worker thread (95th percentile).',
      healthy: 'Near zero: a worker is free when work arrives.',
      problem: 'Tens or hundreds of milliseconds: tasks queue for workers, and product pages wait with them.',
    },
  },
  {
    id: 'api-pricing-compute',
    title: 'api: price computation p95 by pricing version',
    section: 'api',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (pricing_version, le) (rate(pricing_compute_seconds_bucket[${W}])))`,
        legend: 'pricing {{pricing_version}}',
      },
    ],
    help: {
      shows: 'Time to compute one price, per pricing algorithm version.',
      healthy: 'Sub-millisecond, one version line.',
      problem: 'A new version line appearing with much higher times: the latest pricing deploy is the regression.',
    },
  },
  {
    id: 'api-error-logs',
    title: 'api: error logs',
    section: 'api',
    kind: 'logs',
    unit: 'short',
    queries: [{ expr: '{service="api"} | json | level="error"', legend: 'errors' }],
    help: {
      shows: "The api's error log lines, newest first, with their trace ids.",
      healthy: 'Empty or nearly so.',
      problem:
        'A burst of the same message names the cause (e.g. waiting for a database connection); open its trace for the timeline of one request.',
    },
  },
  {
    id: 'api-slow-traces',
    title: 'api: slow requests (traces)',
    section: 'api',
    kind: 'traces',
    unit: 'ms',
    queries: [{ expr: '{ resource.service.name = "api" && duration > 250ms }', legend: 'slow api spans' }],
    help: {
      shows: 'Traces with an api span slower than 250 ms.',
      healthy: 'Few or none.',
      problem:
        'Open one: the longest child span (pricing.compute, worker_pool.wait, db_pool.acquire, pg.query) is where the time went.',
    },
  },
];

export const inventoryPanels: Panel[] = [
  ...redPanels('inventory', 'stock and product data'),
  {
    id: 'inventory-stock-index',
    title: 'inventory: stock lookup index present',
    section: 'inventory',
    kind: 'stat',
    unit: 'bool',
    queries: [{ expr: 'min(inventory_stock_index_present)', legend: 'index present' }],
    help: {
      shows: '1 while the index that makes stock look-ups fast exists, 0 while it is missing.',
      healthy: '1.',
      problem: '0: every stock look-up scans the whole table; database query time of stock operations soars.',
    },
    thresholds: [
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ],
  },
];
