// Preloaded with `node --import <this file> <service>/src/server.ts`, so the tracer provider, the context
// manager and the W3C propagator are registered before any service code runs. Reads only the standard OTEL_*
// variables (the OpenTelemetry convention). The spans themselves come from the services' own code: HTTP server
// and client spans from tracing/http-spans.ts, statement spans from db/pool.ts (each says why not from the
// OpenTelemetry auto-instrumentations), and the domain spans (pricing, recommendations) where they happen.
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

const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;

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

process.once('beforeExit', () => void provider.shutdown().catch(() => {}));
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.prependListener(signal, () => void provider.forceFlush().catch(() => {}));
