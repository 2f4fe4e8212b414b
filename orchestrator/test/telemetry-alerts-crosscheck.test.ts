import { createServer, type Server } from 'node:http';
import { readdirSync } from 'node:fs';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createMetricsHub, type MetricsHub } from '../src/telemetry/metrics/index.ts';
import { createAlertsRoutes, readRulesDir, RuleEvaluator, stackRulesDir } from '../src/telemetry/alerts/index.ts';
import type { MatrixData } from '../src/telemetry/promql/index.ts';
import { createMatcher } from '../src/telemetry/metrics/label-matcher.ts';
import { alignScrapes, startPrometheus, type AlignedTargets, type RealPrometheus } from './support/prom-crosscheck.ts';

/**
 * The hub's rule evaluator and a real Prometheus evaluate the SAME rule files (stack/prometheus/rules) on the
 * same per-second snapshots of a synthetic target (alignScrapes) that plays an incident: the simulated users'
 * failures jump to 37.5 % and the gateway's upstream queue to 6, then both go back to normal. Both must page
 * (UsersErrorBudgetBurn) and warn (GatewayUpstreamPoolSaturated: pending, then firing after `for: 10s`), then
 * resolve, at the same moments up to one evaluation interval (5 s: the two evaluate at different phases) plus
 * a 2 s margin for the scrape phase; no other alert may appear on either side.
 */
const TOLERANCE_S = 7;

function startIncidentTarget() {
  const registry = new Registry();
  const requests = new Counter({
    name: 'loadgen_requests_total',
    help: 'requests',
    labelNames: ['journey', 'outcome'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'loadgen_request_duration_seconds',
    help: 'latency',
    labelNames: ['journey'],
    buckets: [0.05, 0.25, 1],
    registers: [registry],
  });
  const pending = new Gauge({
    name: 'gateway_upstream_pool_pending_requests',
    help: 'queue',
    labelNames: ['service'],
    registers: [registry],
  });
  const lag = new Gauge({
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: 'lag',
    labelNames: ['service'],
    registers: [registry],
  });
  const workers = new Gauge({
    name: 'worker_pool_queue_depth',
    help: 'queue',
    labelNames: ['service'],
    registers: [registry],
  });
  const db = new Gauge({
    name: 'db_pool_pending_requests',
    help: 'queue',
    labelNames: ['service'],
    registers: [registry],
  });
  let fault = false;
  let last = Date.now();
  const tick = setInterval(() => {
    const now = Date.now();
    const dt = (now - last) / 1000;
    last = now;
    requests.inc({ journey: 'browse', outcome: 'ok' }, 100 * dt);
    requests.inc({ journey: 'browse', outcome: 'server' }, (fault ? 60 : 0) * dt);
    latency.observe({ journey: 'browse' }, 0.02);
    pending.set({ service: 'gateway' }, fault ? 6 : 0);
    lag.set({ service: 'api' }, 0.01);
    workers.set({ service: 'api' }, 0);
    db.set({ service: 'inventory' }, 0);
  }, 10);
  const server: Server = createServer(async (_req, res) => {
    res.setHeader('content-type', registry.contentType);
    res.end(await registry.metrics());
  });
  return {
    setFault: (on: boolean) => {
      fault = on;
    },
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

/** Per ALERTS series (alertname/alertstate/labels): the first and last second it is present. */
function spans(m: MatrixData): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const r of m.result) {
    const { __name__: _n, ...labels } = r.metric;
    const key = JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b))));
    out.set(key, [r.values[0][0], r.values.at(-1)![0]]);
  }
  return out;
}

describe('hub rule evaluator vs a real Prometheus on the same rule files', () => {
  let target: ReturnType<typeof startIncidentTarget>;
  let aligned: AlignedTargets | undefined;
  let prometheus: RealPrometheus | undefined;
  let hub: MetricsHub | undefined;
  let evaluator: RuleEvaluator | undefined;
  let app: Server | undefined;
  let start = 0;

  beforeAll(async () => {
    target = startIncidentTarget();
    aligned = await alignScrapes([{ job: 'synth', url: await target.listen() }]);
    const ruleFiles = readdirSync(stackRulesDir)
      .filter((f) => f.endsWith('.yml'))
      .map((f) => stackRulesDir + f);
    prometheus = await startPrometheus(aligned.targetsFor('prometheus'), { ruleFiles });
    hub = createMetricsHub({ targets: aligned.targetsFor('hub'), scrapeIntervalMs: 1000 });
    evaluator = new RuleEvaluator({ store: hub.store, groups: readRulesDir(stackRulesDir, 1000) });
    hub.start();
    evaluator.start();
    await prometheus.waitForTargetsUp();
    start = Math.floor(aligned.open() / 1000);
    const server = express();
    server.use('/api/telemetry/alerts', createAlertsRoutes(evaluator));
    app = createServer(server);
    await new Promise<void>((r) => app!.listen(0, '127.0.0.1', r));
  }, 120_000);

  afterAll(async () => {
    evaluator?.stop();
    await hub?.stop();
    await prometheus?.stop();
    app?.closeAllConnections();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
    await aligned?.close();
    await target?.close();
  });

  it('both page and warn, then resolve, at the same moments', async () => {
    const firing = async () => ({
      prometheus: (await prometheus!.alerts())
        .filter((a) => a.state === 'firing')
        .map((a) => a.labels.alertname)
        .sort(),
      hub: evaluator!
        .alerts()
        .filter((a) => a.state === 'firing')
        .map((a) => a.labels.alertname)
        .sort(),
    });
    const both = ['GatewayUpstreamPoolSaturated', 'UsersErrorBudgetBurn'];
    // A healthy stretch first: both sides hold 15 scrapes before the incident starts.
    await vi.waitFor(
      async () => {
        expect(hub!.store.select([createMatcher('=', '__name__', 'up')])[0]?.length ?? 0).toBeGreaterThanOrEqual(15);
        const now = Math.floor(Date.now() / 1000);
        const counted = await prometheus!.queryRange('count_over_time(up[20s])', now, now, 1);
        expect(Number(counted.result[0]?.values[0][1] ?? 0)).toBeGreaterThanOrEqual(15);
      },
      { timeout: 60_000, interval: 500 },
    );
    target.setFault(true);
    await vi.waitFor(async () => expect(await firing()).toEqual({ prometheus: both, hub: both }), {
      timeout: 90_000,
      interval: 500,
    });
    target.setFault(false);
    await vi.waitFor(
      async () => {
        expect((await prometheus!.alerts()).map((a) => a.labels.alertname)).toEqual([]);
        expect(evaluator!.alerts().map((a) => a.labels.alertname)).toEqual([]);
      },
      { timeout: 120_000, interval: 500 },
    );

    const end = Math.floor(Date.now() / 1000);
    const p = spans(await prometheus!.queryRange('ALERTS', start, end, 1));
    const h = spans(hub!.queryRange('ALERTS', start, end, 1));
    console.info(
      [...p]
        .map(
          ([k, [from, to]]) =>
            `${k}: prometheus ${from - start}..${to - start} s, hub ${(h.get(k)?.[0] ?? NaN) - start}..${(h.get(k)?.[1] ?? NaN) - start} s`,
        )
        .join('\n'),
    );
    const context = `prometheus ${JSON.stringify([...p])}\nhub ${JSON.stringify([...h])}\n${prometheus!.log().slice(-2000)}`;
    expect([...h.keys()].sort(), context).toEqual([...p.keys()].sort());
    expect(
      [...p.keys()]
        .map((k) => JSON.parse(k))
        .map((l) => `${l.alertname}/${l.alertstate}`)
        .sort(),
      context,
    ).toEqual([
      'GatewayUpstreamPoolSaturated/firing',
      'GatewayUpstreamPoolSaturated/pending',
      'UsersErrorBudgetBurn/firing',
      // The SLO pages hold for 20 s before they fire (slo-alerts.yml).
      'UsersErrorBudgetBurn/pending',
    ]);
    const apart = [...p].flatMap(([k, [from, to]]) => {
      const [hf, ht] = h.get(k)!;
      return Math.abs(hf - from) > TOLERANCE_S || Math.abs(ht - to) > TOLERANCE_S
        ? [`${k}: prometheus ${from}..${to}, hub ${hf}..${ht}`]
        : [];
    });
    expect(apart, context).toEqual([]);

    // The hub's API reports the same story as state changes.
    const base = `http://127.0.0.1:${(app!.address() as { port: number }).port}`;
    const body = (await (await fetch(`${base}/api/telemetry/alerts`)).json()) as {
      data: {
        alerts: unknown[];
        events: { alertname: string; state: string; annotations: Record<string, string> }[];
        rules: { health: string }[];
      };
    };
    expect(body.data.alerts).toEqual([]);
    const story = (name: string) => body.data.events.filter((e) => e.alertname === name).map((e) => e.state);
    expect(story('GatewayUpstreamPoolSaturated')).toEqual(['pending', 'firing', 'resolved']);
    expect(story('UsersErrorBudgetBurn')).toEqual(['pending', 'firing', 'resolved']);
    expect(
      body.data.events.find((e) => e.state === 'firing' && e.alertname === 'GatewayUpstreamPoolSaturated')?.annotations
        .summary,
    ).toBe('gateway: requests queue for an upstream connection');
    expect(body.data.rules.map((r) => r.health)).toEqual(Array(6).fill('ok'));
  }, 300_000);
});
