import { Router } from 'express';
import type { LoadGenerator } from '../load/generator.ts';
import {
  createMetricsHub,
  createMetricsRoutes,
  prometheusSource,
  type MetricsHub,
} from '../telemetry/metrics/index.ts';
import {
  createLogStore,
  createTraceStore,
  createPgStats,
  createOtlpTraceReceiver,
  createLogsTracesRoutes,
  type LogStore,
  type PgStats,
  type TraceStore,
} from '../telemetry/index-logs-traces.ts';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import { createAlertsRoutes, readRulesDir, RuleEvaluator, stackRulesDir } from '../telemetry/alerts/index.ts';

export interface EmbeddedTelemetry {
  metrics: MetricsHub;
  /** Evaluates stack/prometheus/rules/*.yml over the hub's series, as Prometheus does in stack mode. */
  alerts: RuleEvaluator;
  logs: LogStore;
  traces: TraceStore;
  pgStats: PgStats;
  /** Mounted under /api/telemetry. */
  apiRouter: Router;
  /** Mounted at the root: POST /v1/traces. */
  otlpRouter: Router;
  /** Instant value of a PromQL expression now; null without data. */
  signal(expr: string): Promise<number | null>;
  subscribeLogs(
    filter: { service?: string; level?: string; text?: string },
    send: (m: ServerMessage) => void,
  ): () => void;
  stop(): Promise<void>;
}

/**
 * The embedded telemetry hub: scrapes the SUT's /metrics and the load generator every second, keeps their
 * logs and OTLP traces, and reads PostgreSQL's own statistics. Read-only API under /api/telemetry.
 */
export function createEmbeddedTelemetry(o: {
  adminUrls: { gateway: string; api: string; inventory: string };
  load: LoadGenerator;
  databaseUrl: string;
  rulesDir?: string;
  /** Stack mode: panels and PromQL queries read from this Prometheus (the hub still scrapes, for alerts and hints). */
  prometheusUrl?: string;
}): EmbeddedTelemetry {
  const metrics = createMetricsHub({
    targets: [
      { job: 'gateway', url: `${o.adminUrls.gateway}/metrics` },
      { job: 'api', url: `${o.adminUrls.api}/metrics` },
      { job: 'inventory', url: `${o.adminUrls.inventory}/metrics` },
      { job: 'loadgen', instance: 'orchestrator', collect: () => o.load.registry.metrics() },
    ],
  });
  // Prometheus's default evaluation_interval (1 m) for a group without `interval:`.
  const alerts = new RuleEvaluator({ store: metrics.store, groups: readRulesDir(o.rulesDir ?? stackRulesDir, 60_000) });
  const logs = createLogStore();
  const traces = createTraceStore();
  const pgStats = createPgStats(o.databaseUrl);
  const apiRouter = Router();
  apiRouter.get('/telemetry/loadgen/metrics', async (_req, res) => {
    res.type(o.load.registry.contentType).send(await o.load.registry.metrics());
  });
  const source = o.prometheusUrl ? prometheusSource(o.prometheusUrl) : undefined;
  apiRouter.use('/telemetry/metrics', createMetricsRoutes(metrics, { source }));
  apiRouter.use('/telemetry/alerts', createAlertsRoutes(alerts));
  apiRouter.use('/telemetry', createLogsTracesRoutes({ logs, traces, pgStats }));
  return {
    metrics,
    alerts,
    logs,
    traces,
    pgStats,
    apiRouter,
    otlpRouter: createOtlpTraceReceiver({ store: traces }),
    async signal(expr) {
      const data = metrics.query(expr, Date.now() / 1000);
      const first = data.resultType === 'vector' ? data.result[0] : undefined;
      if (!first) return null;
      const v = Number(first.value[1]);
      return Number.isFinite(v) ? v : null;
    },
    subscribeLogs(filter, send) {
      return logs.subscribe(filter as never, (batch) => {
        for (const l of batch)
          send({
            type: 'log',
            line: {
              id: l.id,
              service: l.service,
              time: l.time,
              level: l.level,
              msg: l.msg,
              traceId: l.traceId ?? null,
            },
          });
      });
    },
    async stop() {
      alerts.stop();
      await metrics.stop();
      await pgStats.close();
    },
  };
}
