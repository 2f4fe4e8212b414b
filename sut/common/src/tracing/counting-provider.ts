import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  type Sampler,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/**
 * For unit tests of the services' spans: a tracer provider with the services' parent-based sampling (every new
 * trace sampled) that keeps finished spans in memory and counts the spans started. Every span started asks the
 * sampler first, recorded or not, so `samplerCalls()` tells a test whether code started a span it should have
 * skipped (an unsampled request's), which the exported spans alone cannot.
 */
export function countingProvider() {
  const exporter = new InMemorySpanExporter();
  const parentBased = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  let calls = 0;
  const sampler: Sampler = {
    shouldSample: (...args) => {
      calls++;
      return parentBased.shouldSample(...args);
    },
    toString: () => 'counting ParentBased',
  };
  const provider = new TracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  return {
    provider,
    exporter,
    samplerCalls: () => calls,
    /** Forgets the spans exported and the sampler calls counted so far. */
    reset() {
      calls = 0;
      exporter.reset();
    },
  };
}
