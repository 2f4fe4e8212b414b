// Preloaded with `node --import <this file> <service>/src/server.ts`, so instrumentation is in place before
// http, undici and pg are loaded. Reads only the standard OTEL_* variables (the OpenTelemetry convention).
//
// Built from the SDK's trace components (the ones @opentelemetry/sdk-node composes) rather than NodeSDK
// itself: NodeSDK loads every exporter (gRPC, metrics, logs) and costs ~60 MB of RSS per process, and the
// platform's whole process tree must stay under 400 MB.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
const ignoredPaths = new Set(['/metrics', '/healthz']);

// The standard sampler variables: `parentbased_traceidratio` with OTEL_TRACES_SAMPLER_ARG samples that share of
// new traces at the gateway, and every downstream service follows its parent's decision. Unsampled requests
// still carry a trace id in their logs.
const ratio = Number(process.env.OTEL_TRACES_SAMPLER_ARG ?? '1');
// With nowhere to export, new traces are not recorded at all (ids still propagate and reach the logs).
const sampler = !endpoint
  ? new ParentBasedSampler({ root: new AlwaysOffSampler() })
  : process.env.OTEL_TRACES_SAMPLER === 'parentbased_traceidratio' && ratio >= 0 && ratio < 1
    ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) })
    : new ParentBasedSampler({ root: new AlwaysOnSampler() });

const provider = new TracerProvider({
  sampler,
  resource: resourceFromAttributes({
    'service.name': process.env.OTEL_SERVICE_NAME ?? 'unknown',
    'service.namespace': 'observastack',
  }),
  // Without an endpoint spans are still created (trace ids in logs, W3C propagation) but not exported.
  spanProcessors: endpoint
    ? [
        new BatchSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/$/, '')}/v1/traces` }),
          scheduledDelayMillis: 500,
          maxQueueSize: 4096,
        }),
      ]
    : [],
});
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);

registerInstrumentations({
  tracerProvider: provider,
  instrumentations: [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => ignoredPaths.has((req.url ?? '').split('?')[0]),
      // The exporter's own requests to the collector would otherwise be traced too.
      ignoreOutgoingRequestHook: () => true,
    }),
    new UndiciInstrumentation(),
    new PgInstrumentation({ enhancedDatabaseReporting: false }),
  ],
});

process.once('beforeExit', () => void provider.shutdown().catch(() => {}));
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.prependListener(signal, () => void provider.forceFlush().catch(() => {}));
