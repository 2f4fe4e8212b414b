import type { Panel } from './panel-schema.ts';

/** Rate window of catalog queries: long enough for a 15 s Prometheus scrape, short enough to react within seconds. */
export const W = '30s';

const quantiles = (metric: string, by: string, sel = '') =>
  (['0.5', '0.95', '0.99'] as const).map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${by}) (rate(${metric}_bucket${sel}[${W}])))`,
    legend: { '0.5': 'p50', '0.95': 'p95', '0.99': 'p99' }[q],
  }));

export { quantiles };

/** What the simulated users experience: the SLO is judged on these. */
export const userPanels: Panel[] = [
  {
    id: 'users-success-ratio',
    title: 'Users: successful requests',
    section: 'users',
    kind: 'timeseries',
    unit: 'percentunit',
    queries: [
      {
        expr: `sum(rate(loadgen_requests_total{outcome="ok"}[${W}])) / sum(rate(loadgen_requests_total[${W}]))`,
        legend: 'success',
      },
    ],
    help: {
      shows:
        "Share of the simulated users' requests that got a 2xx answer, over the last 30 s. Every other outcome (4xx, 429, 5xx, timeout, connection failure, dropped) counts against it.",
      healthy: 'At or very near 100 %, above the 99 % SLO line.',
      problem:
        'Below 99 %: the SLO is breached. See "Users: errors by kind" for what kind of failure, then the per-service error ratios for where.',
    },
    thresholds: [
      { value: null, color: 'red' },
      { value: 0.99, color: 'green' },
    ],
  },
  {
    id: 'users-latency',
    title: 'Users: latency p50 / p95 / p99',
    section: 'users',
    kind: 'timeseries',
    unit: 'seconds',
    queries: quantiles('loadgen_request_duration_seconds', 'le'),
    help: {
      shows:
        'Latency the simulated users see, from the moment a request was due to its answer (so queueing in the load generator counts), as percentiles over 30 s.',
      healthy: 'p95 well under the 250 ms SLO line; p50 a few tens of milliseconds.',
      problem:
        'p95 above 250 ms breaches the SLO. Compare latency per hop (gateway, api, inventory) to find the slow service.',
    },
    thresholds: [
      { value: null, color: 'green' },
      { value: 0.25, color: 'red' },
    ],
  },
  {
    id: 'users-latency-by-journey',
    title: 'Users: p95 latency by journey',
    section: 'users',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (journey, le) (rate(loadgen_request_duration_seconds_bucket[${W}])))`,
        legend: '{{journey}}',
      },
    ],
    help: {
      shows: 'The 95th percentile latency of each user journey (browse, product page, checkout, ...).',
      healthy: 'All journeys under 250 ms, in a stable order.',
      problem:
        'One journey rising alone points at what only it uses (checkout: the database and its pool; product page: pricing and recommendations).',
    },
    thresholds: [
      { value: null, color: 'green' },
      { value: 0.25, color: 'red' },
    ],
  },
  {
    id: 'users-throughput',
    title: 'Users: offered vs achieved rate',
    section: 'users',
    kind: 'timeseries',
    unit: 'reqps',
    queries: [
      { expr: 'sum(loadgen_target_rps)', legend: 'target' },
      { expr: `sum(rate(loadgen_offered_requests_total[${W}]))`, legend: 'offered' },
      { expr: `sum(rate(loadgen_requests_total{outcome="ok"}[${W}]))`, legend: 'succeeded' },
    ],
    help: {
      shows:
        'The rate the load pattern asks for (target), the rate at which requests were due (offered) and the rate of successful answers.',
      healthy: 'The three lines lie on top of each other.',
      problem:
        'Succeeded below offered means requests fail or are dropped; offered below target means the generator cannot keep up (too many requests in flight).',
    },
  },
  {
    id: 'users-errors-by-kind',
    title: 'Users: failures by kind',
    section: 'users',
    kind: 'timeseries',
    unit: 'reqps',
    queries: [
      {
        expr: `sum by (outcome) (rate(loadgen_requests_total{outcome!="ok"}[${W}]))`,
        legend: '{{outcome}}',
      },
    ],
    help: {
      shows:
        'Failed user requests per second by kind: client (4xx), rate_limited (429), server (5xx), timeout, connection, dropped.',
      healthy: 'Flat at zero, perhaps a rare client error.',
      problem:
        'timeout: something is slow or queued; server: a service answers 5xx (check its error logs); rate_limited: the gateway sheds load on purpose; dropped: too many requests already in flight.',
    },
  },
  {
    id: 'users-orders-per-minute',
    title: 'Users: orders per minute',
    section: 'users',
    kind: 'stat',
    unit: 'opm',
    queries: [{ expr: 'sum(rate(loadgen_orders_created_total[1m])) * 60', legend: 'orders' }],
    help: {
      shows: 'Orders the simulated users completed per minute: the business impact of an incident.',
      healthy: 'Steady, proportional to the load.',
      problem: 'A drop means lost sales: checkouts fail or time out. Look at the database pool and checkout latency.',
    },
  },
];
