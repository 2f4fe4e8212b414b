import type { Panel } from './panel-schema.ts';
import { W } from './panels-users.ts';

const DB = 'db_query_duration_seconds';

export const databasePanels: Panel[] = [
  {
    id: 'db-pool-connections',
    title: 'Database connection pools',
    section: 'database',
    kind: 'timeseries',
    unit: 'short',
    queries: [
      { expr: 'max by (service) (db_pool_max)', legend: '{{service}} max' },
      { expr: 'sum by (service, state) (db_pool_connections)', legend: '{{service}} {{state}}' },
      { expr: 'sum by (service) (db_pool_pending_requests)', legend: '{{service}} waiting' },
    ],
    help: {
      shows: 'Per service: the pool limit, connections in use and idle, and callers waiting for a connection.',
      healthy: 'Used below max, idle connections left, nobody waiting.',
      problem:
        'Used stuck at max with callers waiting: the pool is exhausted; requests time out waiting for a connection (see acquire errors and error logs).',
    },
  },
  {
    id: 'db-pool-acquire-errors',
    title: 'Database: connection wait timeouts',
    section: 'database',
    kind: 'timeseries',
    unit: 'reqps',
    queries: [{ expr: `sum by (service) (rate(db_pool_acquire_errors_total[${W}]))`, legend: '{{service}}' }],
    help: {
      shows: 'Callers per second that gave up waiting for a database connection.',
      healthy: 'Zero.',
      problem:
        'Any value: the pool is too small for how long transactions hold connections; those requests fail with 5xx.',
    },
  },
  {
    id: 'db-query-latency',
    title: 'Database: query time p95 by operation',
    section: 'database',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      {
        expr: `histogram_quantile(0.95, sum by (service, operation, le) (rate(${DB}_bucket[${W}])))`,
        legend: '{{service}} {{operation}}',
      },
    ],
    help: {
      shows: 'Time of each SQL statement by named operation (95th percentile).',
      healthy: 'A few milliseconds for every operation.',
      problem:
        'One operation far slower than the rest: its statement changed behaviour, e.g. a lost index turned look-ups into full scans.',
    },
  },
  {
    id: 'db-query-mean-time',
    title: 'Database: mean query time by operation',
    section: 'database',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      {
        expr: `sum by (service, operation) (rate(${DB}_sum[${W}])) / sum by (service, operation) (rate(${DB}_count[${W}]))`,
        legend: '{{service}} {{operation}}',
      },
    ],
    help: {
      shows: 'Average time of each SQL operation (total time divided by count).',
      healthy: 'Flat, a few milliseconds.',
      problem:
        'Rising mean with a flat rate: each statement got slower. Rising with the rate: the database is saturated.',
    },
  },
  {
    id: 'db-query-rate',
    title: 'Database: queries per second by operation',
    section: 'database',
    kind: 'timeseries',
    unit: 'reqps',
    queries: [{ expr: `sum by (service, operation) (rate(${DB}_count[${W}]))`, legend: '{{service}} {{operation}}' }],
    help: {
      shows: 'SQL statements per second, by service and operation.',
      healthy: 'Proportional to user traffic.',
      problem:
        'A drop with steady traffic means callers wait before reaching the database (pool); a jump means retries or a query loop.',
    },
  },
  {
    id: 'db-slow-queries',
    title: 'Database: slow queries (traces)',
    section: 'database',
    kind: 'traces',
    unit: 'ms',
    queries: [{ expr: '{ span.db.system = "postgresql" && duration > 100ms }', legend: 'slow SQL spans' }],
    help: {
      shows: 'Traces containing a SQL statement slower than 100 ms; the span carries the statement text.',
      healthy: 'None.',
      problem: 'Many slow spans with the same statement: that query lost its index or scans too much.',
    },
  },
];

export const runtimePanels: Panel[] = [
  {
    id: 'runtime-cpu',
    title: 'CPU by service',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'percentunit',
    queries: [{ expr: `sum by (service) (rate(process_cpu_seconds_total[${W}]))`, legend: '{{service}}' }],
    help: {
      shows: 'CPU time each service process uses per second; 100 % is one full core (the machine has few).',
      healthy: 'Well below 100 % per service.',
      problem:
        'A service pinned near 100 %: its single event loop is saturated and every request to it slows down, whatever the route.',
    },
    thresholds: [
      { value: null, color: 'green' },
      { value: 0.8, color: 'orange' },
    ],
  },
  {
    id: 'runtime-event-loop-lag',
    title: 'Event-loop lag p99 by service',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'seconds',
    queries: [
      { expr: `max by (service) (max_over_time(nodejs_eventloop_lag_p99_seconds[${W}]))`, legend: '{{service}}' },
    ],
    help: {
      shows: 'How late the Node.js event loop runs its callbacks (worst p99 over 30 s).',
      healthy: 'A few milliseconds.',
      problem:
        'Tens of milliseconds or more: synchronous work blocks the loop (CPU-heavy code); all requests of that service wait.',
    },
    thresholds: [
      { value: null, color: 'green' },
      { value: 0.05, color: 'orange' },
      { value: 0.2, color: 'red' },
    ],
  },
  {
    id: 'runtime-heap',
    title: 'JavaScript heap used by service',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'bytes',
    queries: [{ expr: 'sum by (service) (nodejs_heap_size_used_bytes)', legend: '{{service}}' }],
    help: {
      shows: "Memory the service's live JavaScript objects take (the main thread's V8 heap).",
      healthy: 'Flat, or a saw-tooth that returns to the same floor after each garbage collection.',
      problem:
        'A floor that keeps rising under steady traffic: something keeps every request reachable (a leak). Near the heap limit GC runs back to back, then the process dies "out of memory".',
    },
  },
  {
    id: 'runtime-gc-time',
    title: 'Time spent in garbage collection by service',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'percentunit',
    queries: [{ expr: `sum by (service) (rate(nodejs_gc_duration_seconds_sum[${W}]))`, legend: '{{service}}' }],
    help: {
      shows: 'Share of wall-clock time each service spent collecting garbage (its event loop stops meanwhile).',
      healthy: 'A few per cent.',
      problem:
        'Tens of per cent and climbing: the heap is full of live objects and each collection marks more of them.',
    },
    thresholds: [
      { value: null, color: 'green' },
      { value: 0.1, color: 'orange' },
      { value: 0.3, color: 'red' },
    ],
  },
  {
    id: 'runtime-versions',
    title: 'Deployed versions',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'short',
    queries: [
      {
        expr: 'max by (service, version, pricing_version) (build_info)',
        legend: '{{service}} {{version}} pricing {{pricing_version}}',
      },
    ],
    help: {
      shows: "One line per running build of each service (and the api's pricing version); a new line is a deploy.",
      healthy: 'One line per service, unchanged during the incident.',
      problem: 'A line ending and another starting just when latency rose: suspect that deploy, and roll it back.',
    },
  },
  {
    id: 'runtime-config-changes',
    title: 'Runtime config changes',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'short',
    queries: [{ expr: 'sum by (service, key) (increase(config_changes_total[1m]))', legend: '{{service}} {{key}}' }],
    help: {
      shows: "Changes to each service's runtime configuration knobs in the last minute.",
      healthy: 'Nothing, or only the changes you just made.',
      problem:
        'A change right before the symptoms started is the first suspect; a change of yours followed by no recovery means the wrong knob.',
    },
  },
  {
    id: 'runtime-restarts',
    title: 'Process restarts',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'short',
    queries: [{ expr: 'sum by (service) (changes(process_start_time_seconds[5m]))', legend: '{{service}}' }],
    help: {
      shows: 'How often each service process restarted in the last 5 minutes.',
      healthy: 'Zero.',
      problem: 'Restarts lose in-flight requests and warm caches; look at the service logs for why it died.',
    },
  },
  {
    id: 'runtime-scrape-health',
    title: 'Metrics scrape health',
    section: 'runtime',
    kind: 'timeseries',
    unit: 'bool',
    queries: [{ expr: `min by (job) (min_over_time(up[${W}]))`, legend: '{{job}}' }],
    help: {
      shows: "1 when every scrape of the job's /metrics in the last 30 s succeeded, 0 otherwise.",
      healthy: '1 for every job.',
      problem:
        '0: the service did not answer its metrics endpoint in time; it is down, restarting or too busy to answer.',
    },
    thresholds: [
      { value: null, color: 'red' },
      { value: 1, color: 'green' },
    ],
  },
];
