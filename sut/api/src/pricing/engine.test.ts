import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Histogram, Registry } from 'prom-client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { countingProvider } from '@observastack/sut-common/tracing/counting-provider.ts';
import { computePrice, priceV10, priceV11 } from './engine.ts';
import { observationsFor } from './observations.ts';

const { provider, exporter, samplerCalls, reset } = countingProvider();
const contextManager = new AsyncLocalStorageContextManager().enable();
context.setGlobalContextManager(contextManager);
trace.setGlobalTracerProvider(provider);
afterAll(() => {
  trace.disable();
  context.disable();
});

const timing = new Histogram({
  name: 'pricing_compute_seconds',
  help: 'Time to compute one price.',
  labelNames: ['pricing_version'] as const,
  registers: [new Registry()],
});
const product = { id: 7, basePriceCents: 1999 };
/** A parent span context as the api's server span leaves it: sampled or not by the gateway's decision. */
const inRequest = <T>(sampled: boolean, fn: () => T): T =>
  context.with(
    trace.setSpan(
      context.active(),
      trace.getTracer('t').startSpan(
        'GET /api/products',
        {},
        trace.setSpanContext(context.active(), {
          traceId: 'a'.repeat(32),
          spanId: 'b'.repeat(16),
          traceFlags: sampled ? 1 : 0,
          isRemote: true,
        }),
      ),
    ),
    fn,
  );

/** The spans ended so far (the simple processor exports each one asynchronously). */
const finished = async () => {
  await provider.forceFlush();
  return exporter.getFinishedSpans();
};

describe('computePrice', () => {
  beforeEach(() => exporter.reset());

  it('prices in a pricing.compute span when the request is sampled', async () => {
    const cents = inRequest(true, () => computePrice('1.0', product, timing));
    expect(cents).toBe(Math.round(priceV10(observationsFor(7, 1999))));
    const spans = (await finished()).filter((s) => s.name === 'pricing.compute');
    expect(spans).toHaveLength(1);
    expect(spans[0].attributes).toEqual({ 'observastack.pricing_version': '1.0', 'observastack.product_id': 7 });
    expect(spans[0].spanContext().traceId).toBe('a'.repeat(32));
  });

  it('gives the same price with no span when the request is not sampled (1.1: no other test prices with it), and still times it', async () => {
    const cents = inRequest(false, () => {
      reset();
      return computePrice('1.1', product, timing);
    });
    // No span was even started (a non-recording one would have asked the sampler): the point of the skip.
    expect(samplerCalls()).toBe(0);
    expect(cents).toBe(Math.round(priceV11(observationsFor(7, 1999))));
    expect(await finished()).toHaveLength(0);
    const after = (await timing.get()).values.find(
      (v) => v.metricName === 'pricing_compute_seconds_count' && v.labels.pricing_version === '1.1',
    );
    expect(after?.value).toBe(1);
  });

  it('starts its own span outside any request (the sampler decides)', async () => {
    computePrice('1.0', product, timing);
    expect((await finished()).map((s) => s.name)).toEqual(['pricing.compute']);
  });
});
