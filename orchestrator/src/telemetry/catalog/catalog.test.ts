import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { getPanel, isMetricPanel, panelCatalog, panelSchema, panelSections } from './index.ts';
import { catalogAnnotations } from './annotations.ts';
import { parsePromql, selectedMetricNames } from '../promql/index.ts';

const metricQueries = panelCatalog.filter(isMetricPanel).flatMap((p) => p.queries.map((q) => [p.id, q.expr] as const));

describe('panel catalog', () => {
  it('has 25–40 panels over every section, with unique kebab-case ids', () => {
    expect(panelCatalog.length).toBeGreaterThanOrEqual(25);
    expect(panelCatalog.length).toBeLessThanOrEqual(40);
    for (const s of panelSections)
      expect(
        panelCatalog.some((p) => p.section === s),
        s,
      ).toBe(true);
    expect(getPanel('users-latency')?.unit).toBe('seconds');
    expect(getPanel('nope')).toBeUndefined();
  });

  it.each(metricQueries)('%s: PromQL parses inside the embedded subset: %s', (_id, expr) => {
    expect(() => parsePromql(expr)).not.toThrow();
  });

  it.each(catalogAnnotations.map((a) => [a.id, a.expr]))('annotation %s parses inside the subset', (_id, expr) => {
    expect(() => parsePromql(expr)).not.toThrow();
  });

  it.each(panelCatalog.filter((p) => p.kind === 'logs').flatMap((p) => p.queries.map((q) => [p.id, q.expr])))(
    '%s: LogQL parses: %s',
    (_id, expr) => {
      const tree = logqlParser.parse(expr);
      let error = -1;
      tree.iterate({
        enter: (n) => {
          if (n.type.isError && error < 0) error = n.from;
        },
      });
      expect(error, `syntax error at ${error}`).toBe(-1);
    },
  );

  it('the LogQL check catches a broken query', () => {
    let error = false;
    logqlParser.parse('{service="api"} | json | level=').iterate({
      enter: (n) => {
        if (n.type.isError) error = true;
      },
    });
    expect(error).toBe(true);
  });

  it('trace panels hold a TraceQL span selector', () => {
    for (const p of panelCatalog.filter((q) => q.kind === 'traces')) {
      for (const q of p.queries) expect(q.expr).toMatch(/^\{ .+ \}$/);
    }
  });

  it('selects only metrics the SUT, the load generator, prom-client defaults or the scraper produce', async () => {
    const docs = readFileSync(new URL('../../../../docs/telemetry.md', import.meta.url), 'utf8');
    const documented = new Set([...docs.matchAll(/`([a-z_:][a-z0-9_:]*)`/g)].map((m) => m[1]));
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    for (const m of await registry.getMetricsAsJSON()) documented.add(m.name);
    for (const n of [
      'loadgen_requests_total',
      'loadgen_request_duration_seconds',
      'loadgen_offered_requests_total',
      'loadgen_target_rps',
      'loadgen_in_flight',
      'loadgen_orders_created_total',
      'up',
    ])
      documented.add(n);
    const used = new Set(metricQueries.flatMap(([, e]) => selectedMetricNames(parsePromql(e))));
    for (const a of catalogAnnotations) for (const n of selectedMetricNames(parsePromql(a.expr))) used.add(n);
    const unknown = [...used].filter(
      (n) => !documented.has(n) && !documented.has(n.replace(/_(bucket|sum|count)$/, '')),
    );
    expect(unknown).toEqual([]);
  });

  it("covers RED per service, every pool, runtime and the users' view", () => {
    const text = JSON.stringify(panelCatalog);
    for (const s of ['gateway', 'api', 'inventory']) {
      for (const suffix of ['request-rate', 'error-ratio', 'latency'])
        expect(getPanel(`${s}-${suffix}`), `${s}-${suffix}`).toBeDefined();
    }
    for (const m of [
      'gateway_upstream_pool_connections',
      'gateway_upstream_pool_pending_requests',
      'worker_pool_active_tasks',
      'worker_pool_queue_depth',
      'worker_pool_wait_seconds_bucket',
      'db_pool_connections',
      'db_pool_pending_requests',
      'process_cpu_seconds_total',
      'nodejs_eventloop_lag_p99_seconds',
      'db_query_duration_seconds_bucket',
      'build_info',
      'config_changes_total',
      'loadgen_offered_requests_total',
      'loadgen_orders_created_total',
    ]) {
      expect(text, m).toContain(m);
    }
  });

  it('rejects an invalid panel with readable errors', () => {
    const r = panelSchema.safeParse({ ...panelCatalog[0], id: 'Not Kebab', queries: [] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toMatchInlineSnapshot(`
      [
        "id: id must be kebab-case",
        "queries: Too small: expected array to have >=1 items",
      ]
    `);
  });
});
