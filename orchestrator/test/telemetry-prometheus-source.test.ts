import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelCatalog } from '../src/telemetry/catalog/index.ts';
import { createMetricsHub, createMetricsRoutes, prometheusSource } from '../src/telemetry/metrics/index.ts';
import { freePort, startPrometheus, type RealPrometheus } from './support/prom-crosscheck.ts';

/**
 * Stack mode's panels read from a real Prometheus (OBS_PROMETHEUS_URL): the orchestrator's metrics routes,
 * backed by Debian's Prometheus scraping a live target, must answer exactly what Prometheus answers, say where
 * the figures come from, and pass Prometheus's refusals on as Prometheus words them.
 */
let target: Server;
let routes: Server;
let prom: RealPrometheus;
let base: string;

function listen(s: Server): Promise<string> {
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  const registry = new Registry();
  const requests = new Counter({
    name: 'src_requests_total',
    help: 'requests',
    labelNames: ['code'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'src_duration_seconds',
    help: 'latency',
    buckets: [0.01, 0.1, 1],
    registers: [registry],
  });
  const tick = setInterval(() => {
    requests.inc({ code: '200' }, 50);
    latency.observe(0.05);
  }, 100);
  target = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  target.once('close', () => clearInterval(tick));
  const targetUrl = await listen(target);
  prom = await startPrometheus([{ job: 'src', url: `${targetUrl}/metrics` }]);
  await prom.waitForTargetsUp(30_000);
  // The hub is never started: every answer below can only have come from Prometheus.
  const hub = createMetricsHub({ targets: [] });
  const app = express();
  app.use('/api/telemetry/metrics', createMetricsRoutes(hub, { source: prometheusSource(prom.url) }));
  routes = createServer(app);
  base = `${await listen(routes)}/api/telemetry/metrics`;
}, 60_000);

afterAll(async () => {
  await new Promise((r) => routes?.close(r));
  await new Promise((r) => target?.close(r));
  await prom?.stop();
});

/** Polls until Prometheus holds `n` samples of the target (its first scrapes come after start). */
async function untilSamples(n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('count_over_time(up[1m])')}`);
    const v = Number((await r.json()).data.result[0]?.value[1] ?? 0);
    if (v >= n) return;
    if (Date.now() > deadline) throw new Error(`Prometheus holds ${v} samples of up after 30 s, wanted ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const get = async (url: string) => {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
};

describe('metrics routes over a real Prometheus (stack mode)', () => {
  it('answers range and instant queries exactly as Prometheus does', async () => {
    await untilSamples(5);
    const end = Math.floor(Date.now() / 1000);
    const range = new URLSearchParams({
      query: 'rate(src_requests_total[5s])',
      start: String(end - 10),
      end: String(end),
      step: '1',
    });
    const ours = await get(`${base}/query_range?${range}`);
    const theirs = await get(`${prom.url}/api/v1/query_range?${range}`);
    expect(ours.status).toBe(200);
    expect(ours.body.data.result.length).toBe(1);
    expect(ours.body.data).toEqual(theirs.body.data);

    const instant = new URLSearchParams({ query: 'sum(src_duration_seconds_count)', time: String(end) });
    expect((await get(`${base}/query?${instant}`)).body.data).toEqual(
      (await get(`${prom.url}/api/v1/query?${instant}`)).body.data,
    );
  });

  it('serves a catalog panel from Prometheus, query by query, and says so', async () => {
    const panel = panelCatalog.find((p) => p.kind === 'timeseries')!;
    const end = Math.floor(Date.now() / 1000);
    const params = new URLSearchParams({ start: String(end - 60), end: String(end), step: '5' });
    const ours = await get(`${base}/panels/${panel.id}/data?${params}`);
    expect(ours.status).toBe(200);
    expect(ours.body.data.source).toBe('prometheus');
    for (const [i, q] of panel.queries.entries()) {
      const direct = new URLSearchParams({ query: q.expr, start: String(end - 60), end: String(end), step: '5' });
      expect(ours.body.data.results[i].data, q.expr).toEqual(
        (await get(`${prom.url}/api/v1/query_range?${direct}`)).body.data,
      );
    }
  });

  it("passes Prometheus's refusal of a bad query on as a 400 in its words", async () => {
    const r = await get(`${base}/query?query=${encodeURIComponent('rate(src_requests_total[')}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(r.body.error).toMatch(/parse error/);
  });

  it('answers 502 "unavailable" when Prometheus cannot be reached', async () => {
    const gone = prometheusSource(`http://127.0.0.1:${await freePort()}`, 2000);
    const app = express();
    app.use('/m', createMetricsRoutes(createMetricsHub({ targets: [] }), { source: gone }));
    const s = createServer(app);
    try {
      const r = await get(`${await listen(s)}/m/query?query=up`);
      expect(r.status).toBe(502);
      expect(r.body).toMatchObject({ status: 'error', errorType: 'unavailable' });
      expect(r.body.error).toMatch(/did not answer/);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });
});
