import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Platform } from '../src/platform/platform.ts';
import { panelCatalog, isMetricPanel } from '../src/telemetry/catalog/index.ts';
import type { MatrixData } from '../src/telemetry/promql/index.ts';
import { alignScrapes, startPrometheus, type AlignedTargets, type RealPrometheus } from './support/prom-crosscheck.ts';
import { createMetricsHub, type MetricsHub } from '../src/telemetry/metrics/index.ts';
import { api, freshDatabase, startTestPlatform } from './support/platform-harness.ts';

/**
 * The embedded hub against a real Prometheus, both scraping the real SUT (and the load generator) while the
 * simulated users load it: every metric panel of the catalog must agree, every dashboard query must run on
 * Prometheus, logs and traces must link by trace id, and a dropped index must show in the hub's DB view.
 *
 * The compared hub is built as the platform builds its own (createMetricsHub, the same catalog) and scrapes the
 * same per-second snapshots of the targets as Prometheus does (alignScrapes), each sample stamped with the moment
 * its snapshot was taken, so both store the same samples at the same timestamps. (Scraping the live targets at
 * their own phases, they legitimately disagreed by 10 %+ on a sparse, bursty histogram's quantile on a busy
 * machine.) The platform's own hub, scraping the live targets, must answer every panel with the same series as
 * Prometheus: its wiring is checked too.
 *
 * Tolerance:
 * - Queries over counters and histograms (rate, increase, histogram_quantile) are compared point by point: a
 *   point agrees within 5 % of the other side's value, or of the query's full scale (its peak over the range)
 *   for values near zero; at least 95 % of the points must agree (a 30 s window edge moves a few requests).
 *   Points whose window holds a snapshot only one side got (the other's scrape timed out on a busy machine) are
 *   skipped: the proxy knows which snapshots each scraper received (AlignedTargets.sameSamples).
 * - Instantaneous gauges (a queue, busy connections) really differ between two scrapes a fraction of a second
 *   apart, so each series' mean over the range is compared, within 5 % of full scale or one unit.
 * - prom-client resets the event-loop-delay histogram at every scrape, so two scrapers measure different
 *   windows of it: that panel is only checked for the same series on both sides.
 */
const scenariosDir = fileURLToPath(new URL('./fixtures/scenarios/', import.meta.url));
const dashboardsDir = fileURLToPath(new URL('../../stack/grafana/dashboards/', import.meta.url));
// 75 s of load leaves ~40 points after the first full 30 s window, so "95 % agree" tolerates two, and ~10 for
// the one panel over a 1 min window (each query is compared from its first window that starts after both
// scrapers began: the two may take their first snapshots a second apart).
const LOAD_SECONDS = 75;

const withoutInstance = (m: Record<string, string>) =>
  JSON.stringify(
    Object.entries(m)
      .filter(([k]) => k !== 'instance')
      .sort(([a], [b]) => a.localeCompare(b)),
  );

const overCounters = /rate\(|increase\(|histogram_quantile/;
const resetByEachScrape = /nodejs_eventloop_lag/;
const mean = (values: [number, string][]) => values.reduce((a, [, v]) => a + Number(v), 0) / Math.max(1, values.length);

function compareMeans(prom: MatrixData, hub: MatrixData): string[] {
  const all = [...prom.result, ...hub.result]
    .flatMap((r) => r.values.map(([, v]) => Math.abs(Number(v))))
    .filter(Number.isFinite);
  const tolerance = Math.max(1, 0.05 * Math.max(0, ...all));
  const h = new Map(hub.result.map((r) => [withoutInstance(r.metric), r.values]));
  return prom.result.flatMap((r) => {
    const hv = h.get(withoutInstance(r.metric));
    const [a, b] = [mean(r.values), hv ? mean(hv) : NaN];
    return Math.abs(a - b) <= tolerance
      ? []
      : [`${withoutInstance(r.metric)}: mean ${a.toFixed(3)} in Prometheus, ${b.toFixed(3)} in the hub`];
  });
}

/** Point-by-point agreement at the timestamps where `comparable(t)` says both sides hold the same samples. */
function compare(prom: MatrixData, hub: MatrixData, comparable: (t: number) => boolean) {
  const all = [...prom.result, ...hub.result]
    .flatMap((r) => r.values.map(([, v]) => Math.abs(Number(v))))
    .filter(Number.isFinite);
  const scale = Math.max(0, ...all);
  const h = new Map(
    hub.result.map((r) => [withoutInstance(r.metric), new Map(r.values.map(([t, v]) => [t, Number(v)]))]),
  );
  let compared = 0;
  let skipped = 0;
  const mismatches: string[] = [];
  for (const r of prom.result) {
    const hv = h.get(withoutInstance(r.metric));
    if (!hv) continue;
    for (const [t, v] of r.values) {
      const a = Number(v);
      const b = hv.get(t);
      if (b === undefined) continue;
      if (!comparable(t)) {
        skipped++;
        continue;
      }
      compared++;
      // NaN (a quantile or a ratio with nothing to divide: no request completed) or ±Inf agree only with the same.
      if (!Number.isFinite(a) || !Number.isFinite(b)) {
        if (!Object.is(a, b)) mismatches.push(`${withoutInstance(r.metric)} @${t}: prometheus ${a} hub ${b}`);
        continue;
      }
      const diff = Math.abs(a - b);
      if (diff > 0.05 * Math.max(Math.abs(a), Math.abs(b)) && diff > 0.05 * scale)
        mismatches.push(`${withoutInstance(r.metric)} @${t}: prometheus ${a} hub ${b}`);
    }
  }
  return { compared, skipped, mismatches, promSeries: prom.result.length, hubSeries: hub.result.length };
}

describe('telemetry hub vs a real Prometheus on the real SUT under load', () => {
  let platform: Platform;
  let prometheus: RealPrometheus;
  let aligned: AlignedTargets | undefined;
  let hub: MetricsHub | undefined;
  let base: string;
  let start = 0;
  let end = 0;

  beforeAll(async () => {
    const databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'telemetry_crosscheck');
    ({ platform } = await startTestPlatform({ databaseUrl, scenariosDir }));
    base = platform.url;
    const p = platform.ports;
    // Prometheus and a hub built like the platform's (createMetricsHub, the same catalog) scrape the same
    // per-second snapshots of the real targets (see alignScrapes), so both hold identical samples.
    aligned = await alignScrapes([
      { job: 'gateway', url: `http://127.0.0.1:${p.gatewayAdmin}/metrics` },
      { job: 'api', url: `http://127.0.0.1:${p.apiAdmin}/metrics` },
      { job: 'inventory', url: `http://127.0.0.1:${p.inventoryAdmin}/metrics` },
      { job: 'loadgen', url: `${base}/api/telemetry/loadgen/metrics` },
    ]);
    prometheus = await startPrometheus(aligned.targetsFor('prometheus'));
    await prometheus.waitForTargetsUp();
    hub = createMetricsHub({ targets: aligned.targetsFor('hub'), scrapeIntervalMs: 1000 });
    hub.start();
    // Both scrapers run: from now on they get snapshots, so their first samples are the same one.
    start = Math.ceil(aligned.open() / 1000);
    // The boot warm-up: stop() also waits for a stop the platform began itself (then `running` is already false).
    await platform.load.stop();
    platform.load.start({ phases: [{ pattern: 'constant', durationS: LOAD_SECONDS + 30, rps: 60 }] });
    await new Promise((r) => setTimeout(r, LOAD_SECONDS * 1000));
    end = Math.floor(Date.now() / 1000) - 2;
  }, 180_000);

  afterAll(async () => {
    await platform?.load.stop();
    await hub?.stop();
    await prometheus?.stop();
    await aligned?.close();
    await platform?.stop();
  });

  it('agrees with Prometheus on every metric panel of the catalog', async () => {
    // Compare once both sides have a full window of data (most of the catalog's windows are 30 s).
    const range = { start: start + 32, end, step: 1 };
    // A query over a window longer than the load (changes() over 5 min) keeps the whole range.
    const rangeOf = (windowS: number) =>
      start + windowS + 2 < end - 5 ? { ...range, start: Math.max(range.start, start + windowS + 2) } : range;
    const failures: string[] = [];
    let panels = 0;
    // A point is the engines' to answer only where both scrapers hold the same samples over its window: on a
    // busy machine one of them sometimes misses a scrape (its 800 ms timeout), and then the rates differ for a
    // reason that is not the engines'.
    // The load generator's series all exist from its start (its counters begin at 0), so for a query of them
    // alone the window's first and last snapshots decide; any other may see a series born mid-window (a first
    // 504), which a missed middle snapshot would hide from one side: all its snapshots must be the same.
    const metricsOf = (expr: string) =>
      [...expr.matchAll(/([a-z_:][a-z0-9_:]*)\s*[{[]/g)]
        .map(([, m]) => m)
        .filter((m) => !/^(by|without|on|ignoring)$/.test(m));
    const comparable = (expr: string, fromMs: number, toMs: number) =>
      metricsOf(expr).every((m) => m.startsWith('loadgen_'))
        ? aligned!.sameEdges('prometheus', 'hub', fromMs, toMs, ['loadgen'])
        : aligned!.sameSamples('prometheus', 'hub', fromMs, toMs);
    const windowOf = (expr: string) =>
      Math.max(0, ...[...expr.matchAll(/\[(\d+)([sm])\]/g)].map(([, n, unit]) => Number(n) * (unit === 'm' ? 60 : 1)));
    for (const panel of panelCatalog.filter(isMetricPanel)) {
      panels++;
      for (const q of panel.queries) {
        const windowS = windowOf(q.expr);
        const r = rangeOf(windowS);
        const prom = await prometheus.queryRange(q.expr, r.start, r.end, r.step);
        const mine = hub!.queryRange(q.expr, r.start, r.end, r.step);
        const c = compare(prom, mine, (t) => comparable(q.expr, (t - windowS) * 1000, t * 1000));
        if (c.promSeries !== c.hubSeries)
          failures.push(`${panel.id}: ${q.expr}: ${c.promSeries} series in Prometheus, ${c.hubSeries} in the hub`);
        const own = platform.telemetry.metrics.queryRange(q.expr, r.start, r.end, r.step);
        if (own.result.length !== c.promSeries)
          failures.push(
            `${panel.id}: ${q.expr}: ${c.promSeries} series in Prometheus, ${own.result.length} in the platform's hub`,
          );
        if (resetByEachScrape.test(q.expr)) continue;
        if (overCounters.test(q.expr)) {
          if (c.compared === 0 && c.promSeries > 0) {
            failures.push(
              c.skipped > 0
                ? `${panel.id}: ${q.expr}: nothing to compare: every point's window holds a snapshot only one side got (${c.skipped} points; the machine was too busy to scrape every second)`
                : `${panel.id}: ${q.expr}: no common points`,
            );
          }
          if (c.mismatches.length > 0.05 * c.compared)
            failures.push(
              `${panel.id}: ${q.expr}: ${c.mismatches.length}/${c.compared} points differ, e.g. ${c.mismatches.slice(0, 2).join('; ')}`,
            );
        } else {
          failures.push(...compareMeans(prom, mine).map((m) => `${panel.id}: ${q.expr}: ${m}`));
        }
      }
    }
    expect(panels).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });

  it('runs every PromQL of every generated Grafana dashboard on Prometheus, with data', async () => {
    const exprs = new Set<string>();
    for (const f of readdirSync(dashboardsDir).filter((x) => x.endsWith('.json'))) {
      const dash = JSON.parse(readFileSync(dashboardsDir + f, 'utf8'));
      for (const panel of dash.panels ?? []) {
        for (const t of panel.targets ?? [])
          if (t.expr && (t.datasource?.uid ?? panel.datasource?.uid) === 'prometheus') exprs.add(t.expr);
      }
    }
    expect(exprs.size).toBeGreaterThan(20);
    const empty: string[] = [];
    for (const expr of exprs) {
      const data = await prometheus.queryRange(expr.replaceAll('$__rate_interval', '30s'), start + 32, end, 5);
      if (data.result.length === 0) empty.push(expr);
    }
    // Series that only exist once something goes wrong (errors, 429s, retries) are empty on a healthy shop.
    const onlyOnTrouble =
      /rate_limited|retries|upstream_errors|acquire_errors|config_changes|outcome!="ok"|outcome="(client|server|timeout|connection|dropped|rejected|failed)"|status_code=~"5|code=~"5/;
    expect(empty.filter((e) => !onlyOnTrouble.test(e))).toEqual([]);
  });

  it('keeps the same exemplars as Prometheus, each the trace id of a trace the hub holds', async () => {
    const query = 'http_server_request_duration_seconds_bucket{job=~"gateway|api"}';
    type Ex = {
      seriesLabels: Record<string, string>;
      exemplars: { labels: { trace_id?: string }; timestamp: number }[];
    };
    const ids = (data: Ex[]) =>
      new Set(
        data.flatMap((s) => s.exemplars.map((e) => `${s.seriesLabels.job} ${s.seriesLabels.le} ${e.labels.trace_id}`)),
      );
    const q = new URLSearchParams({ query, start: String(start), end: String(end) });
    const prom = (await (await fetch(`${prometheus.url}/api/v1/query_exemplars?${q}`)).json()) as { data: Ex[] };
    const mine = hub!.queryExemplars(query, start, end) as Ex[];
    const inProm = ids(prom.data);
    const inHub = ids(mine);
    const both = [...inHub].filter((x) => inProm.has(x));
    console.log(`exemplars: ${inProm.size} in Prometheus, ${inHub.size} in the hub, ${both.length} in both`);
    expect(inHub.size).toBeGreaterThan(20);
    // The same snapshots reach both; a scrape one side missed on a busy machine may miss an exemplar.
    expect(both.length).toBeGreaterThanOrEqual(0.9 * Math.max(inProm.size, inHub.size));
    // An exemplar is a sampled request, whose trace the services export to the trace store. Under load a busy
    // machine may drop a batch of spans (the exporters' queues are bounded), so half of the last ten suffice.
    const recent = [...inHub].slice(-10).map((x) => x.split(' ')[2]);
    expect(recent.every((t) => /^[0-9a-f]{32}$/.test(t))).toBe(true);
    await vi.waitFor(
      async () => {
        const found = await Promise.all(
          recent.map(async (t) => (await api(base, 'GET', `/api/telemetry/traces/${t}`)).status === 200),
        );
        expect(found.filter(Boolean).length).toBeGreaterThanOrEqual(5);
      },
      { timeout: 15_000, interval: 500 },
    );
    // The platform's own hub serves them under its API, as the site reads them.
    const served = await api(base, 'GET', `/api/telemetry/metrics/query_exemplars?${q}`);
    expect(served.status).toBe(200);
    expect(served.body.data.length).toBeGreaterThan(0);
  });

  it("links a request's logs and its trace through the trace id, SQL statements included", async () => {
    // With the simulated users still on, a busy machine can make the services' exporters drop spans (a full
    // batch queue, an export past its timeout): linking is checked on a quiet shop, one traced request.
    await platform.load.stop();
    // The order itself must succeed for its INSERT to be traced; on a busy machine the backlog the users left can
    // still make one attempt time out at the gateway (504), so it is placed again, each time with a new trace id.
    let traceId = '';
    await vi.waitFor(
      async () => {
        traceId = [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
        const res = await fetch(`http://127.0.0.1:${platform.ports.gateway}/api/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
          body: JSON.stringify({ customerId: 'trace-test', items: [{ productId: 42, quantity: 1 }] }),
        });
        expect(res.status).toBe(201);
      },
      { timeout: 30_000, interval: 500 },
    );
    // Spans and log lines reach the hub in batches (each service's exporter and log buffer flush on their own
    // clocks, later on a busy machine): wait for each condition itself, with a deadline.
    const waitFor = { timeout: 30_000, interval: 250 };
    await vi.waitFor(async () => {
      const trace = (await api(base, 'GET', `/api/telemetry/traces/${traceId}`)).body;
      expect([...new Set((trace.spans ?? []).map((s: any) => s.service))].sort()).toEqual([
        'api',
        'gateway',
        'inventory',
      ]);
      expect(
        trace.spans.some((s: any) =>
          /INSERT INTO shop\.orders/.test(
            String(s.attributes?.['db.query.text'] ?? s.attributes?.['db.statement'] ?? ''),
          ),
        ),
        'a span with the order INSERT',
      ).toBe(true);
    }, waitFor);
    await vi.waitFor(async () => {
      const logs = (await api(base, 'GET', `/api/telemetry/logs?traceId=${traceId}`)).body.entries as {
        service: string;
      }[];
      expect(new Set(logs.map((l) => l.service))).toEqual(new Set(['gateway', 'api', 'inventory']));
    }, waitFor);
  });

  it("shows the slow stock lookup in the hub's DB view while the index is dropped", async () => {
    const before = (await api(base, 'GET', '/api/telemetry/db')).body.tables.find(
      (t: any) => t.table === 'inventory.stock',
    );
    expect((await api(base, 'PATCH', '/api/services/inventory/config', { stockIndex: 'dropped' })).status).toBe(200);
    try {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`http://127.0.0.1:${platform.ports.gateway}/api/products/${100 + i}`),
        ),
      );
      const db = (await api(base, 'GET', '/api/telemetry/db')).body;
      const after = db.tables.find((t: any) => t.table === 'inventory.stock');
      expect(after.seqScan - before.seqScan).toBeGreaterThanOrEqual(40);
      expect(db.topStatements.available).toBe(true);
      const lookup = db.topStatements.statements.find((s: any) =>
        /FROM inventory\.stock WHERE product_id/.test(s.query),
      );
      expect(lookup).toBeDefined();
    } finally {
      await api(base, 'PATCH', '/api/services/inventory/config', { stockIndex: 'present' });
    }
  });
});
