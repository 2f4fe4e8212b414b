// Preloaded with `node --import <this file> <service>/src/server.ts`, so instrumentation is in place before
// http, undici and pg are loaded. Reads only the standard OTEL_* variables (the OpenTelemetry convention).
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
// Metrics are Prometheus-scraped and logs go to stdout: the SDK only does traces.
process.env.OTEL_METRICS_EXPORTER ??= 'none';
process.env.OTEL_LOGS_EXPORTER ??= 'none';
process.env.OTEL_TRACES_EXPORTER ??= 'none';

const ignoredPaths = new Set(['/metrics', '/healthz']);

const sdk = new NodeSDK({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'unknown',
  resourceDetectors: [],
  // Without an endpoint spans are still created (trace ids in logs, W3C propagation) but not exported.
  spanProcessors: endpoint
    ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }), scheduledDelayMillis: 500, maxQueueSize: 4096 })]
    : [],
  instrumentations: [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => ignoredPaths.has((req.url ?? '').split('?')[0]),
      // The SDK's own exports to the collector would otherwise be traced too.
      ignoreOutgoingRequestHook: () => true,
    }),
    new UndiciInstrumentation(),
    new PgInstrumentation({ enhancedDatabaseReporting: false }),
  ],
});
sdk.start();

const shutdown = () => {
  sdk.shutdown().catch(() => {});
};
process.once('beforeExit', shutdown);
