import { TraceFlags, trace } from '@opentelemetry/api';
import {
  Counter,
  Gauge,
  Histogram,
  type LabelValues,
  type OpenMetricsContentType,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';

/** Buckets (seconds) shared by every latency histogram of the SUT; see docs/telemetry.md. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServiceMetrics {
  registry: Registry<OpenMetricsContentType>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  httpAbandoned: Counter<'route'>;
  configChanges: Counter<'key'>;
  configValue: Gauge<'key'>;
  buildInfo: Gauge<string>;
}

/**
 * The exemplar of the current request: the trace id of the active span when that span is sampled (an unsampled
 * trace is exported nowhere, so linking to it would lead to nothing). Empty: the bucket keeps its last exemplar.
 */
export function traceExemplar<T extends string>(): LabelValues<T> {
  const ctx = trace.getActiveSpan()?.spanContext();
  const labels = ctx && ctx.traceFlags & TraceFlags.SAMPLED ? { trace_id: ctx.traceId } : {};
  // prom-client 15.1's typings give exemplar labels the metric's own label names; at run time any names go.
  return labels as LabelValues<T>;
}

/** An OpenMetrics registry (prom-client's typings declare no constructor argument: setContentType says it). */
export function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

/**
 * One registry per service, labelled `service`, with Node's default process metrics. It speaks OpenMetrics
 * (`application/openmetrics-text`), because only OpenMetrics carries exemplars: the request-latency histogram's
 * buckets link to a sampled trace of a request that fell into them (docs/telemetry.md, "Exemplars").
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = openMetricsRegistry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  // prom-client also exports these gauges with a `_total` suffix, which `promtool check metrics` rejects;
  // the same values stay available without it (nodejs_active_handles, …).
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  return {
    registry,
    httpDuration: new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP requests served, by route template.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: latencyBuckets,
      registers: [registry],
      enableExemplars: true,
    }),
    httpAbandoned: new Counter({
      name: 'http_server_requests_abandoned_total',
      help: 'Requests dropped before their work because their client had closed the connection.',
      labelNames: ['route'],
      registers: [registry],
    }),
    configChanges: new Counter({
      name: 'config_changes_total',
      help: 'Runtime configuration changes applied, by knob.',
      labelNames: ['key'],
      registers: [registry],
    }),
    configValue: new Gauge({
      name: 'runtime_config_value',
      help: 'Current value of each numeric runtime-config knob (enums: index of the value).',
      labelNames: ['key'],
      registers: [registry],
    }),
    buildInfo: new Gauge({
      name: 'build_info',
      help: 'The running build of this service (value 1); api adds pricing_version.',
      labelNames: ['version', 'pricing_version'],
      registers: [registry],
    }),
  };
}
