import { describe, expect, it } from 'vitest';
import { createTraceStore } from './trace-store.ts';
import { span } from './test-spans.ts';

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('createTraceStore', () => {
  it('assembles a trace from batches that arrive out of order, replacing re-sent spans', () => {
    const store = createTraceStore();
    store.add([
      span({ traceId: id(1), spanId: 'child', parentSpanId: 'root', startMs: 10, endMs: 20, service: 'inventory' }),
    ]);
    expect(store.getTrace(id(1))?.spans[0]).toMatchObject({ spanId: 'child', orphan: true });
    store.add([span({ traceId: id(1), spanId: 'root', startMs: 0, endMs: 30, service: 'gateway' })]);
    store.add([
      span({ traceId: id(1), spanId: 'child', parentSpanId: 'root', startMs: 10, endMs: 25, service: 'inventory' }),
    ]);
    const trace = store.getTrace(id(1).toUpperCase())!;
    expect(trace.spans.map((s) => [s.spanId, s.depth, s.durationMs])).toEqual([
      ['root', 0, 30],
      ['child', 1, 15],
    ]);
    expect(store.stats()).toMatchObject({ traces: 1, spans: 2 });
    expect(store.getTrace(id(2))).toBeUndefined();
  });

  it('evicts whole traces, oldest first, by trace count and span count', () => {
    const store = createTraceStore({ maxTraces: 2, maxSpans: 5 });
    for (let n = 1; n <= 3; n++)
      store.add([span({ traceId: id(n), spanId: 'a' }), span({ traceId: id(n), spanId: 'b', parentSpanId: 'a' })]);
    expect(store.getTrace(id(1))).toBeUndefined();
    expect(store.stats()).toMatchObject({ traces: 2, spans: 4, evictedTraces: 1 });
    store.add([
      span({ traceId: id(3), spanId: 'c', parentSpanId: 'a' }),
      span({ traceId: id(3), spanId: 'd', parentSpanId: 'a' }),
    ]);
    expect(store.getTrace(id(2))).toBeUndefined();
    expect(store.getTrace(id(3))?.spanCount).toBe(4);
  });

  it('evicts by estimated bytes and caps spans per trace', () => {
    const store = createTraceStore({ maxBytes: 5000, maxSpansPerTrace: 3 });
    for (let n = 1; n <= 10; n++)
      store.add([span({ traceId: id(n), spanId: 'a', attributes: { payload: 'x'.repeat(500) } })]);
    expect(store.stats().bytes).toBeLessThanOrEqual(5000);
    expect(store.stats().traces).toBeLessThan(10);
    expect(store.getTrace(id(10))).toBeDefined();
    store.add(['1', '2', '3', '4'].map((s) => span({ traceId: id(99), spanId: s })));
    expect(store.getTrace(id(99))?.spanCount).toBe(3);
    expect(store.stats().droppedSpans).toBe(1);
  });

  it('searches by service, duration, error, span name and start, most recent first', () => {
    const store = createTraceStore();
    store.add([
      span({ traceId: id(1), spanId: 'a', name: 'GET /products', service: 'gateway', startMs: 1000, endMs: 1020 }),
      span({ traceId: id(2), spanId: 'a', name: 'POST /checkout', service: 'gateway', startMs: 2000, endMs: 2900 }),
      span({
        traceId: id(2),
        spanId: 'b',
        parentSpanId: 'a',
        name: 'reserve',
        service: 'inventory',
        startMs: 2100,
        endMs: 2800,
        status: 'error',
      }),
      span({ traceId: id(3), spanId: 'a', name: 'GET /search', service: 'api', startMs: 3000, endMs: 3300 }),
    ]);
    const ids = (q: Parameters<typeof store.search>[0]) => store.search(q).map((s) => s.traceId);
    expect(ids({})).toEqual([id(3), id(2), id(1)]);
    expect(ids({ service: 'inventory' })).toEqual([id(2)]);
    expect(ids({ minDurationMs: 300 })).toEqual([id(3), id(2)]);
    expect(ids({ error: true })).toEqual([id(2)]);
    expect(ids({ error: 'false' })).toEqual([id(3), id(1)]);
    expect(ids({ name: 'RESERVE' })).toEqual([id(2)]);
    expect(ids({ since: 1500, limit: 1 })).toEqual([id(3)]);
    expect(store.search({ service: 'inventory' })[0]).toEqual({
      traceId: id(2),
      rootService: 'gateway',
      rootName: 'POST /checkout',
      startMs: 2000,
      durationMs: 900,
      spanCount: 2,
      services: ['gateway', 'inventory'],
      error: true,
    });
    expect(() => store.search({ limit: 0 })).toThrow();
  });
});
