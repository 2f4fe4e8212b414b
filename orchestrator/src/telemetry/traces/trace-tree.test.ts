import { describe, expect, it } from 'vitest';
import { buildWaterfall, summarize } from './trace-tree.ts';
import { span } from './test-spans.ts';

const t = '1'.repeat(32);

describe('buildWaterfall', () => {
  it('orders depth first with children by start, depth and offsets from the trace start', () => {
    const spans = [
      span({ spanId: 'c2', parentSpanId: 'b', startMs: 1030, endMs: 1040, service: 'inventory' }),
      span({ spanId: 'b', parentSpanId: 'a', startMs: 1005, endMs: 1050 }),
      span({ spanId: 'a', startMs: 1000, endMs: 1100, service: 'gateway', kind: 'server' }),
      span({ spanId: 'c1', parentSpanId: 'b', startMs: 1010, endMs: 1020, status: 'error' }),
      span({ spanId: 'd', parentSpanId: 'a', startMs: 1060, endMs: 1070 }),
    ];
    const detail = buildWaterfall(t, spans);
    expect(detail.spans.map((s) => [s.spanId, s.depth, s.offsetMs, s.childCount])).toEqual([
      ['a', 0, 0, 2],
      ['b', 1, 5, 2],
      ['c1', 2, 10, 0],
      ['c2', 2, 30, 0],
      ['d', 1, 60, 0],
    ]);
    expect(detail).toMatchObject({
      traceId: t,
      rootService: 'gateway',
      rootName: 'a',
      startMs: 1000,
      durationMs: 100,
      spanCount: 5,
      services: ['api', 'gateway', 'inventory'],
      error: true,
    });
  });

  it('shows spans whose parent has not arrived as orphan roots, and prefers a true root', () => {
    const spans = [
      span({ spanId: 'x', parentSpanId: 'missing', startMs: 900 }),
      span({ spanId: 'r', startMs: 1000 }),
      span({ spanId: 'y', parentSpanId: 'x', startMs: 950 }),
    ];
    const detail = buildWaterfall(t, spans);
    expect(detail.spans.map((s) => [s.spanId, s.depth, s.orphan])).toEqual([
      ['x', 0, true],
      ['y', 1, false],
      ['r', 0, false],
    ]);
    expect(detail.rootName).toBe('r');
    expect(
      summarize(
        t,
        spans.filter((s) => s.spanId !== 'r'),
      ).rootName,
    ).toBe('x');
  });

  it('places every span once even when parents form a cycle', () => {
    const spans = [
      span({ spanId: 'p', parentSpanId: 'q', startMs: 1 }),
      span({ spanId: 'q', parentSpanId: 'p', startMs: 2 }),
      span({ spanId: 's', parentSpanId: 's', startMs: 3 }),
    ];
    const detail = buildWaterfall(t, spans);
    expect(detail.spans.map((s) => s.spanId).sort()).toEqual(['p', 'q', 's']);
  });
});
