// The telemetry hub at full retention: a hub filled with 15 minutes of 1 s samples for the series a real
// platform exposes (label sets captured from the running platform's own hub), its memory, and the time each
// catalog panel's 15-minute query_range takes at the site's step (5 s) and at the API's default step (1 s).
import { createMetricsHub, type Labels } from '../orchestrator/src/telemetry/metrics/index.ts';
import { isMetricPanel, panelCatalog } from '../orchestrator/src/telemetry/catalog/index.ts';
import { percentile } from './stats.ts';

/** Every series the live hub holds right now (`{__name__=~".+"}` at now), label sets only. */
export async function captureSeries(url: string): Promise<Labels[]> {
  const q = new URLSearchParams({ query: '{__name__=~".+"}', time: String(Date.now() / 1000) });
  const res = await fetch(`${url}/api/telemetry/metrics/query?${q}`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { status: string; data?: { result: { metric: Labels }[] }; error?: string };
  if (body.status !== 'success' || !body.data) throw new Error(`series capture failed: ${body.error ?? res.status}`);
  return body.data.result.map((r) => r.metric);
}

export interface PanelTiming {
  panel: string;
  queries: number;
  /** Summed time of the panel's queries, median of `repeats` runs. */
  step5Ms: number;
  step1Ms: number;
  seriesReturned: number;
  error: string | null;
}

export interface HubFigures {
  series: number;
  samplesPerSeries: number;
  retentionS: number;
  /** The hub's own accounting (compressed chunks, open heads, labels, per-series overhead). */
  storeBytes: number;
  /** V8 heap + array buffers grown while filling, as the process sees it. */
  heapGrowthBytes: number;
  fillMs: number;
  panels: PanelTiming[];
  step5: { p50Ms: number | null; maxMs: number | null; totalMs: number };
  step1: { p50Ms: number | null; maxMs: number | null; totalMs: number };
}

/** A plausible value path per series: counters and histogram parts climb, gauges wander (by fractions: the worst
 *  case for the store's compression); per-bucket rates grow with `le` so histogram_quantile sees a monotonic
 *  distribution. */
function valueStep(labels: Labels, rand: () => number): (prev: number) => number {
  const name = labels.__name__ ?? '';
  const cumulative = /(_total|_count|_sum|_bucket|_created)$/.test(name);
  if (!cumulative) return (prev) => Math.max(0, prev + (rand() - 0.5) * 2);
  const le =
    labels.le === undefined
      ? 1
      : labels.le === '+Inf'
        ? 1
        : Math.min(1, 0.2 + Math.log10(1 + Number(labels.le) * 100) / 3);
  // Counts climb by whole requests, as a real counter does (the store compresses by value bits, so a count with
  // a fractional step would be an unrealistic worst case); a `_sum` climbs by fractional seconds.
  if (name.endsWith('_sum')) return (prev) => prev + 3 * (0.8 + rand() * 0.4);
  const rate = 100 * le;
  return (prev) => prev + Math.round(rate * (0.8 + rand() * 0.4));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const heap = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** Fills a fresh hub with `retentionS` seconds of 1 s samples for `series`, then times every metric panel. */
export function benchHub(series: Labels[], o: { retentionS?: number; repeats?: number } = {}): HubFigures {
  const retentionS = o.retentionS ?? 900;
  const repeats = o.repeats ?? 3;
  const hub = createMetricsHub({ targets: [], retentionSeconds: retentionS });
  const rand = lcg(42);
  const steps = series.map((l) => valueStep(l, rand));
  const values = series.map(() => 0);
  const endMs = Math.floor(Date.now() / 1000) * 1000;
  const heap0 = heap();
  const t0 = performance.now();
  for (let t = endMs - (retentionS - 1) * 1000; t <= endMs; t += 1000) {
    for (let i = 0; i < series.length; i++) {
      values[i] = steps[i](values[i]);
      hub.store.append(series[i], t, values[i]);
    }
  }
  const fillMs = performance.now() - t0;
  const heapGrowthBytes = heap() - heap0;

  const end = endMs / 1000;
  const start = end - retentionS;
  const timeQueries = (exprs: string[], step: number): { ms: number; returned: number } => {
    const runs: number[] = [];
    let returned = 0;
    for (let r = 0; r < repeats; r++) {
      const q0 = performance.now();
      returned = 0;
      for (const e of exprs) returned += hub.queryRange(e, start, end, step).result.length;
      runs.push(performance.now() - q0);
    }
    return { ms: percentile(runs, 50)!, returned };
  };
  const panels: PanelTiming[] = [];
  for (const p of panelCatalog.filter(isMetricPanel)) {
    const exprs = p.queries.map((q) => q.expr);
    try {
      const s5 = timeQueries(exprs, 5);
      const s1 = timeQueries(exprs, 1);
      panels.push({
        panel: p.id,
        queries: exprs.length,
        step5Ms: s5.ms,
        step1Ms: s1.ms,
        seriesReturned: s5.returned,
        error: null,
      });
    } catch (err) {
      panels.push({
        panel: p.id,
        queries: exprs.length,
        step5Ms: 0,
        step1Ms: 0,
        seriesReturned: 0,
        error: (err as Error).message,
      });
    }
  }
  const ok = panels.filter((p) => !p.error);
  const agg = (xs: number[]) => ({
    p50Ms: percentile(xs, 50),
    maxMs: xs.length ? Math.max(...xs) : null,
    totalMs: xs.reduce((a, b) => a + b, 0),
  });
  return {
    series: hub.store.seriesCount(),
    samplesPerSeries: series.length ? Math.round(hub.store.sampleCount() / series.length) : 0,
    retentionS,
    storeBytes: hub.memoryBytes(),
    heapGrowthBytes,
    fillMs,
    panels,
    step5: agg(ok.map((p) => p.step5Ms)),
    step1: agg(ok.map((p) => p.step1Ms)),
  };
}
