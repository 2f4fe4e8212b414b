import { describe, expect, it } from 'vitest';
import { toExemplarPoints } from './exemplars.ts';

const series = (service: string, route: string, exemplars: [string, string, number][]) => ({
  seriesLabels: { service, route, le: '0.5' },
  exemplars: exemplars.map(([trace_id, value, timestamp]) => ({ labels: { trace_id }, value, timestamp })),
});

describe('toExemplarPoints', () => {
  it('keeps one point per trace, its slowest hop, oldest first', () => {
    const points = toExemplarPoints(
      [
        series('gateway', '/api/products', [
          ['aaaaaaaaaaaaaaaa', '0.31', 100],
          ['bbbbbbbbbbbbbbbb', '0.02', 101],
        ]),
        series('api', '/products', [
          ['aaaaaaaaaaaaaaaa', '0.29', 100.5],
          ['cccccccccccccccc', 'NaN', 102],
        ]),
      ],
      1,
    );
    expect(points.map((p) => [p.traceId.slice(0, 1), p.y, p.t])).toEqual([
      ['a', 0.31, 100],
      ['b', 0.02, 101],
    ]);
    expect(points[0].title).toBe('gateway /api/products: 310 ms, trace aaaaaaaa… (open the trace)');
  });

  it('keeps the slowest trace of each epoch-aligned slot, so older points do not move as new ones arrive', () => {
    const first = [
      ['a', '0.010', 100],
      ['b', '0.040', 101],
      ['c', '0.020', 104.9],
      ['d', '0.030', 105],
      ['e', '0.030', 106],
    ] as [string, string, number][];
    const before = toExemplarPoints([series('api', '/x', first)], 5);
    expect(before.map((p) => p.traceId)).toEqual(['b', 'd']);
    // Later scrapes bring newer requests, fast and slow: the past slot's point is the same one.
    const after = toExemplarPoints(
      [series('api', '/x', [...first, ['f', '0.001', 107], ['g', '0.900', 111], ['h', '0.002', 112]])],
      5,
    );
    expect(after.map((p) => p.traceId)).toEqual(['b', 'd', 'g']);
  });

  it('breaks ties by trace id, whatever the order the hub answered in', () => {
    const a = toExemplarPoints(
      [
        series('api', '/x', [
          ['z', '0.1', 10],
          ['y', '0.1', 11],
        ]),
      ],
      5,
    );
    const b = toExemplarPoints(
      [
        series('api', '/x', [
          ['y', '0.1', 11],
          ['z', '0.1', 10],
        ]),
      ],
      5,
    );
    expect(a.map((p) => p.traceId)).toEqual(['y']);
    expect(b.map((p) => p.traceId)).toEqual(['y']);
  });
});
