import { describe, expect, it } from 'vitest';
import { toExemplarPoints } from './exemplars.ts';

const series = (service: string, route: string, exemplars: [string, string, number][]) => ({
  seriesLabels: { service, route, le: '0.5' },
  exemplars: exemplars.map(([trace_id, value, timestamp]) => ({ labels: { trace_id }, value, timestamp })),
});

describe('toExemplarPoints', () => {
  it('keeps one point per trace, its slowest hop, oldest first, at most max', () => {
    const points = toExemplarPoints([
      series('gateway', '/api/products', [
        ['aaaaaaaaaaaaaaaa', '0.31', 100],
        ['bbbbbbbbbbbbbbbb', '0.02', 101],
      ]),
      series('api', '/products', [
        ['aaaaaaaaaaaaaaaa', '0.29', 100.5],
        ['cccccccccccccccc', 'NaN', 102],
      ]),
    ]);
    expect(points.map((p) => [p.traceId.slice(0, 1), p.y, p.t])).toEqual([
      ['a', 0.31, 100],
      ['b', 0.02, 101],
    ]);
    expect(points[0].title).toBe('gateway /api/products: 310 ms, trace aaaaaaaa… (open the trace)');
    expect(
      toExemplarPoints(
        [
          series('api', '/x', [
            ['a', '1', 1],
            ['b', '1', 2],
            ['c', '1', 3],
          ]),
        ],
        2,
      ).map((p) => p.traceId),
    ).toEqual(['b', 'c']);
  });
});
