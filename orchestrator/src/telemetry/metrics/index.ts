import { SeriesStore } from './series-store.ts';
import { Scraper, type ScrapeTarget, type TargetHealth } from './scraper.ts';
import {
  createPromqlEngine,
  parsePromql,
  vectorSelectors,
  type InstantData,
  type MatrixData,
} from '../promql/index.ts';
import { ExemplarStore, type ExemplarSeries } from './exemplar-store.ts';

export type { ScrapeTarget, TargetHealth } from './scraper.ts';
export { SeriesStore, type Labels } from './series-store.ts';
export { createMetricsRoutes } from './http-routes.ts';
export { hubSource, prometheusSource, type MetricsSource, UpstreamQueryError } from './metrics-source.ts';
export type { ExemplarSeries } from './exemplar-store.ts';

export interface MetricsHubOptions {
  /** What to scrape; in embedded mode gateway, api, inventory admin `/metrics` plus the load generator. */
  targets: ScrapeTarget[];
  /** How long samples are kept (default 900 s). */
  retentionSeconds?: number;
  /** Time between scrapes of one target (default 1 000 ms); the timeout is 80 % of it. */
  scrapeIntervalMs?: number;
  /** Cap on distinct series (default 20 000). */
  maxSeries?: number;
}

export interface MetricsHub {
  start(): void;
  stop(): Promise<void>;
  readonly store: SeriesStore;
  /** Prometheus `/api/v1/query_range` data; times in seconds since the epoch, step in seconds (default 1). */
  queryRange(expr: string, start: number, end: number, step?: number): MatrixData;
  /** Prometheus `/api/v1/query` data at `time` (seconds since the epoch). */
  query(expr: string, time: number): InstantData;
  /** Prometheus `/api/v1/query_exemplars` data: the exemplars of every series the expression selects. */
  queryExemplars(expr: string, start: number, end: number): ExemplarSeries[];
  /** Scrape health per target. */
  targets(): TargetHealth[];
  /** Bytes held by the sample store. */
  memoryBytes(): number;
}

/** The metrics half of the embedded telemetry hub: a 1 s scraper, a 15 min in-memory store and a PromQL subset. */
export function createMetricsHub(options: MetricsHubOptions): MetricsHub {
  const retentionMs = (options.retentionSeconds ?? 900) * 1000;
  const intervalMs = options.scrapeIntervalMs ?? 1000;
  const store = new SeriesStore({
    retentionMs,
    // 10 % slack over one sample per interval for the whole retention, so jitter never evicts in-window samples.
    maxSamplesPerSeries: Math.ceil((retentionMs / intervalMs) * 1.1) + 10,
    maxSeries: options.maxSeries,
  });
  const exemplars = new ExemplarStore({ retentionMs });
  const scraper = new Scraper(store, options.targets, { intervalMs, exemplars });
  const engine = createPromqlEngine(store);
  return {
    start: () => scraper.start(),
    stop: () => scraper.stop(),
    store,
    queryRange: (expr, start, end, step) => engine.queryRange(expr, start, end, step),
    query: (expr, time) => engine.query(expr, time),
    queryExemplars: (expr, start, end) => exemplars.query(vectorSelectors(parsePromql(expr)), start * 1000, end * 1000),
    targets: () => scraper.health(),
    memoryBytes: () => store.memoryBytes(),
  };
}

/** The embedded-mode targets on their default ports; the load generator is collected in-process. */
export function embeddedTargets(loadgenMetrics: () => Promise<string> | string): ScrapeTarget[] {
  return [
    { job: 'gateway', url: 'http://127.0.0.1:8090/metrics' },
    { job: 'api', url: 'http://127.0.0.1:8081/metrics' },
    { job: 'inventory', url: 'http://127.0.0.1:8082/metrics' },
    { job: 'loadgen', instance: 'orchestrator', collect: loadgenMetrics },
  ];
}
