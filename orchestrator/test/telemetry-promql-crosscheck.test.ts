import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createMetricsHub, type MetricsHub } from '../src/telemetry/metrics/index.ts';
import { crossCheck, startPrometheus, type Expectation, type RealPrometheus } from './support/prom-crosscheck.ts';

/**
 * The hub and a real Prometheus scrape the same synthetic target every second for ~24 s; then both answer the same
 * range queries at the same timestamps. The two scrape at different phases (up to 1 s apart), so values drawn from
 * a 10 s window legitimately differ by up to ~1/10 of the change inside it: the signals below change slowly
 * (sinusoids of 60 s period, steps far apart) so that 5 % covers that and nothing else.
 */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COLLECT_MS = 24_000;

function startSyntheticTarget() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'synth_requests_total',
    help: 'requests',
    labelNames: ['route', 'code'],
    registers: [registry],
  });
  const temperature = new Gauge({ name: 'synth_temperature', help: 'smooth gauge', registers: [registry] });
  const queue = new Gauge({ name: 'synth_queue_depth', help: 'stepped gauge', registers: [registry] });
  const duration = new Histogram({
    name: 'synth_duration_seconds',
    help: 'latency',
    labelNames: ['route'],
    buckets: BUCKETS,
    registers: [registry],
  });
  const t0 = Date.now();
  let last = t0;
  let owed = 0;
  let i = 0;
  const tick = setInterval(() => {
    const now = Date.now();
    const dt = (now - last) / 1000;
    last = now;
    const s = (now - t0) / 1000;
    const wave = Math.sin((2 * Math.PI * s) / 60);
    requests.inc({ route: 'a', code: '200' }, 80 * (1 + 0.3 * wave) * dt);
    requests.inc({ route: 'a', code: '500' }, 5 * dt);
    // Route b stays at 30/s, under the `> 40` filter below for the whole run. (It once stepped to 60/s 10 s after
    // the target started: when Prometheus came up quickly that step fell inside the compared windows, where a
    // 1 s phase shift between the two scrapers legitimately moves a 10 s rate by 3/s, about 5 %.)
    requests.inc({ route: 'b', code: '200' }, 30 * dt);
    temperature.set(50 + 10 * wave);
    queue.set(Math.floor(s / 2) % 7);
    // Observations follow a golden-ratio sequence through a log-uniform spread, so every second holds the same mix.
    owed += 100 * dt;
    for (; owed >= 1; owed--) {
      const u = (++i * 0.6180339887) % 1;
      // ±10 % over 60 s: at most ~1 %/s, so a 1 s scrape phase shift moves a quantile by about that.
      const scale = 1 + 0.1 * wave;
      duration.observe({ route: i % 3 === 0 ? 'b' : 'a' }, 0.004 * Math.pow(100, u) * scale);
    }
  }, 10);
  const server: Server = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  return {
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`);
        }),
      ),
    close: () => {
      clearInterval(tick);
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const W = '10s';
const expectations: Expectation[] = [
  { expr: `rate(synth_requests_total[${W}])` },
  { expr: `irate(synth_requests_total[${W}])` },
  { expr: `increase(synth_requests_total[${W}])` },
  { expr: `sum by (route) (rate(synth_requests_total[${W}]))` },
  { expr: `sum without (code) (rate(synth_requests_total[${W}]))` },
  { expr: `sum(rate(synth_requests_total{code=~"5.."}[${W}])) / sum(rate(synth_requests_total[${W}]))` },
  {
    expr: `clamp_min(1 - (sum(rate(synth_requests_total{code!~"5.."}[${W}])) / sum(rate(synth_requests_total[${W}]))), 0)`,
  },
  { expr: `sum(rate(synth_requests_total{route!="b"}[${W}])) * 60` },
  // Drops route b (30/s) at every point, keeps route a (61–109/s).
  { expr: `sum by (route) (rate(synth_requests_total[${W}])) > 40` },
  { expr: `count(synth_requests_total)` },
  // Set operators (the multi-window burn-rate alerts use them): route b's 30/s never passes 40, route a's always does.
  {
    expr: `sum by (route) (rate(synth_requests_total[${W}])) > 40 or sum by (route) (rate(synth_requests_total[${W}])) * 2`,
  },
  { expr: `rate(synth_requests_total[${W}]) and on(route) sum by (route) (rate(synth_requests_total[${W}])) > 40` },
  { expr: `rate(synth_requests_total[${W}]) unless rate(synth_requests_total{code="500"}[${W}])` },
  { expr: `histogram_quantile(0.95, sum by (le) (rate(synth_duration_seconds_bucket[${W}])))` },
  { expr: `histogram_quantile(0.5, sum by (route, le) (rate(synth_duration_seconds_bucket[${W}])))` },
  {
    expr: `sum by (route) (rate(synth_duration_seconds_sum[${W}])) / on(route) sum by (route) (rate(synth_duration_seconds_count[${W}]))`,
  },
  { expr: `synth_temperature` },
  { expr: `avg_over_time(synth_temperature[${W}])` },
  { expr: `max_over_time(synth_temperature[${W}])` },
  { expr: `min by (job) (min_over_time(synth_temperature[${W}]))` },
  { expr: `synth_temperature > 45` },
  // A gauge stepping every 2 s changes 4–5 times per 10 s window; a 1 s phase shift may move one change across the edge.
  { expr: `changes(synth_queue_depth[${W}])`, absolute: 1 },
  { expr: 'up' },
];

describe('embedded hub vs a real Prometheus', () => {
  let target: ReturnType<typeof startSyntheticTarget>;
  let prometheus: RealPrometheus | undefined;
  let hub: MetricsHub | undefined;
  let scrapeStart = 0;

  beforeAll(async () => {
    target = startSyntheticTarget();
    const url = await target.listen();
    prometheus = await startPrometheus([{ job: 'synth', url }]);
    await prometheus.waitForTargetsUp();
    hub = createMetricsHub({ targets: [{ job: 'synth', url }], scrapeIntervalMs: 1000 });
    scrapeStart = Date.now() / 1000;
    hub.start();
    await new Promise((r) => setTimeout(r, COLLECT_MS));
  }, 120_000);

  afterAll(async () => {
    await hub?.stop();
    await prometheus?.stop();
    await target?.close();
  });

  it('agrees within 5 % on every expression at every common timestamp', async () => {
    // Skip the first 12 s: the 10 s windows need data on both sides.
    const range = { start: Math.ceil(scrapeStart) + 12, end: Math.floor(Date.now() / 1000) - 1, step: 1 };
    const results = await crossCheck(prometheus!, hub!, expectations, range);
    const points = range.end - range.start + 1;
    console.info(
      results
        .map((r) => `${(r.maxRelativeDiff * 100).toFixed(2).padStart(6)} %  ${r.compared} pts  ${r.expr}`)
        .join('\n'),
    );
    for (const r of results) {
      const context = `${r.expr}\n${JSON.stringify(r, null, 1).slice(0, 2000)}`;
      expect(r.onlyInPrometheus, context).toEqual([]);
      expect(r.onlyInHub, context).toEqual([]);
      expect(r.compared, context).toBeGreaterThanOrEqual(points - 2);
      expect(r.mismatches, context).toEqual([]);
    }
  }, 60_000);
});
