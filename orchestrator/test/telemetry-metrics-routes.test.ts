import { createServer, type Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter, Registry } from 'prom-client';
import { createMetricsHub, createMetricsRoutes, type MetricsHub } from '../src/telemetry/metrics/index.ts';

describe('metrics HTTP routes', () => {
  let target: Server;
  let app: Server;
  let hub: MetricsHub;
  let base = '';

  beforeAll(async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'http_server_request_duration_seconds_count',
      help: 'x',
      labelNames: ['service', 'route', 'status_code'],
      registers: [registry],
    });
    let n = 0;
    target = createServer(async (_req, res) => {
      c.inc({ service: 'api', route: '/products', status_code: '200' }, 10 + n++);
      res.end(await registry.metrics());
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(target.address() as { port: number }).port}/metrics`;
    hub = createMetricsHub({ targets: [{ job: 'api', url }], scrapeIntervalMs: 200 });
    hub.start();
    await new Promise((r) => setTimeout(r, 1500));
    await hub.stop();
    const server = express();
    server.use('/api/telemetry/metrics', createMetricsRoutes(hub));
    app = createServer(server);
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(app.address() as { port: number }).port}/api/telemetry/metrics`;
  });

  afterAll(async () => {
    await hub?.stop();
    app?.closeAllConnections();
    target?.closeAllConnections();
    await Promise.all([new Promise((r) => app?.close(r)), new Promise((r) => target?.close(r))]);
  });

  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };

  it('answers query_range and query like the Prometheus API', async () => {
    const now = Date.now() / 1000;
    const q = encodeURIComponent('sum by (service) (rate(http_server_request_duration_seconds_count[2s]))');
    const r = await get(`/query_range?query=${q}&start=${now - 1.2}&end=${now}&step=0.2`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('success');
    expect(r.body.data.resultType).toBe('matrix');
    expect(r.body.data.result[0].metric).toEqual({ service: 'api' });
    expect(Number(r.body.data.result[0].values.at(-1)[1])).toBeGreaterThan(0);
    const i = await get(`/query?query=up&time=${now}`);
    expect(i.body.data.result).toEqual([
      { metric: expect.objectContaining({ __name__: 'up', job: 'api' }), value: [expect.any(Number), '1'] },
    ]);
  });

  it('answers 400 with bad_data or unsupported', async () => {
    const bad = await get(`/query_range?query=${encodeURIComponent('rate(x[1m')}&start=1&end=2`);
    expect(bad).toMatchObject({ status: 400, body: { status: 'error', errorType: 'bad_data' } });
    const unsupported = await get(`/query?query=${encodeURIComponent('predict_linear(x[1m], 60)')}`);
    expect(unsupported).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'unsupported',
        error: "function 'predict_linear' is not supported by the embedded hub",
      },
    });
    const missing = await get('/query_range?query=up&start=abc&end=2');
    expect(missing.body.errorType).toBe('bad_data');
    expect(missing.body.error).toContain('cannot parse "abc" to a valid timestamp');
  });

  it("serves the catalog and a panel's data", async () => {
    const panels = await get('/panels');
    expect(panels.body.data.length).toBeGreaterThan(20);
    const now = Date.now() / 1000;
    const d = await get(`/panels/api-request-rate/data?start=${now - 2}&end=${now}`);
    expect(d.status).toBe(200);
    expect(d.body.data.panel.id).toBe('api-request-rate');
    expect(d.body.data.results[0].data.result[0].metric).toEqual({ route: '/products' });
    expect((await get('/panels/api-error-logs/data')).status).toBe(400);
    expect((await get('/panels/nope/data')).status).toBe(404);
  });
});
