import type { InstantData, MatrixData } from '../promql/index.ts';
import type { ExemplarSeries } from './exemplar-store.ts';
import type { MetricsHub } from './index.ts';

/**
 * Where panels and PromQL queries read from: the embedded hub, or (stack mode, `OBS_PROMETHEUS_URL`) a real
 * Prometheus through its HTTP API. Same catalog, same PromQL, same answer shapes (the hub answers in
 * Prometheus's); the SLO judge never reads here (it uses the load generator's own figures).
 */
export interface MetricsSource {
  readonly name: 'hub' | 'prometheus';
  queryRange(expr: string, start: number, end: number, step?: number): Promise<MatrixData>;
  query(expr: string, time: number): Promise<InstantData>;
  queryExemplars(expr: string, start: number, end: number): Promise<ExemplarSeries[]>;
}

/** A query Prometheus refused (`errorType` as it said: bad_data, execution, timeout …), or could not answer. */
export class UpstreamQueryError extends Error {
  readonly errorType: string;
  /** 400 for the query's fault, 502 when Prometheus itself failed or could not be reached. */
  readonly status: number;
  constructor(errorType: string, message: string, status: number) {
    super(message);
    this.name = 'UpstreamQueryError';
    this.errorType = errorType;
    this.status = status;
  }
}

export function hubSource(hub: MetricsHub): MetricsSource {
  return {
    name: 'hub',
    queryRange: async (expr, start, end, step) => hub.queryRange(expr, start, end, step),
    query: async (expr, time) => hub.query(expr, time),
    queryExemplars: async (expr, start, end) => hub.queryExemplars(expr, start, end),
  };
}

/** A Prometheus at `baseUrl` (e.g. http://prometheus:9090) through its HTTP API. */
export function prometheusSource(baseUrl: string, timeoutMs = 10_000): MetricsSource {
  const base = baseUrl.replace(/\/+$/, '');
  async function get<T>(path: string, params: Record<string, string | number | undefined>): Promise<T> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) qs.set(k, String(v));
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/${path}?${qs}`, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new UpstreamQueryError(
        'unavailable',
        `Prometheus at ${base} did not answer: ${(err as Error).message}`,
        502,
      );
    }
    const text = await res.text();
    let body: { status?: string; data?: T; errorType?: string; error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new UpstreamQueryError(
        'unavailable',
        `Prometheus at ${base} answered ${res.status}: ${text.slice(0, 200)}`,
        502,
      );
    }
    if (body.status === 'success' && body.data !== undefined) return body.data;
    // Prometheus answers 400 (bad_data), 422 (execution) and 503 (timeout, canceled) with its own error body.
    const status = res.status === 400 || res.status === 422 ? 400 : 502;
    throw new UpstreamQueryError(body.errorType ?? 'unavailable', body.error ?? `status ${res.status}`, status);
  }
  return {
    name: 'prometheus',
    queryRange: (expr, start, end, step = 1) => get<MatrixData>('query_range', { query: expr, start, end, step }),
    query: (expr, time) => get<InstantData>('query', { query: expr, time }),
    queryExemplars: async (expr, start, end) =>
      // Prometheus answers null rather than [] when it holds no exemplar for the selection.
      (await get<ExemplarSeries[] | null>('query_exemplars', { query: expr, start, end })) ?? [],
  };
}
