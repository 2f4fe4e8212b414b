import { describe, expect, it } from 'vitest';
import { SeriesStore } from '../metrics/series-store.ts';
import { createPromqlEngine, formatValue } from './engine.ts';
import { PromqlEvalError, PromqlParseError } from './errors.ts';

const base = { job: 'api', instance: 'h:1' };

/** Counters at 1 s resolution for 120 s: req{code=200} +2/s, req{code=500} +1/s; a gauge; histogram buckets. */
function fixture() {
  const store = new SeriesStore({ retentionMs: 1e9 });
  for (let s = 0; s <= 120; s++) {
    const t = s * 1000;
    store.append({ __name__: 'req_total', code: '200', ...base }, t, 2 * s);
    store.append({ __name__: 'req_total', code: '500', ...base }, t, s);
    store.append({ __name__: 'temp', ...base }, t, s % 10);
    store.append({ __name__: 'lat_bucket', le: '0.1', ...base }, t, 5 * s);
    store.append({ __name__: 'lat_bucket', le: '1', ...base }, t, 9 * s);
    store.append({ __name__: 'lat_bucket', le: '+Inf', ...base }, t, 10 * s);
  }
  return { store, engine: createPromqlEngine(store) };
}

const vec = (engine: ReturnType<typeof createPromqlEngine>, q: string, time = 100) => {
  const d = engine.query(q, time);
  if (d.resultType !== 'vector') throw new Error('expected a vector');
  return d.result.map((r) => [r.metric, Number(r.value[1])]);
};

describe('PromQL engine', () => {
  it('instant selectors: matchers, 5 min lookback and staleness markers', () => {
    const { store, engine } = fixture();
    expect(vec(engine, 'req_total{code!="200"}')).toEqual([[{ __name__: 'req_total', code: '500', ...base }, 100]]);
    expect(vec(engine, 'req_total{code=~"2.*"}', 120 + 299)).toHaveLength(1);
    expect(vec(engine, 'req_total{code=~"2.*"}', 120 + 300)).toHaveLength(0);
    store.markStale({ __name__: 'temp', ...base }, 121_000);
    expect(vec(engine, 'temp', 120.5)).toHaveLength(1);
    expect(vec(engine, 'temp', 121)).toHaveLength(0);
  });

  it('rate, irate, increase drop the metric name', () => {
    const { engine } = fixture();
    expect(vec(engine, 'rate(req_total{code="200"}[30s])')).toEqual([[{ code: '200', ...base }, expect.closeTo(2, 9)]]);
    expect(vec(engine, 'irate(req_total{code="500"}[30s])')).toEqual([[{ code: '500', ...base }, 1]]);
    // 29 s sampled (left-open window), extrapolated by 1 s to the start: 58 * 30/29 = 60.
    expect(vec(engine, 'increase(req_total{code="200"}[30s])')[0][1]).toBeCloseTo(60);
  });

  it('aggregations by and without', () => {
    const { engine } = fixture();
    expect(vec(engine, 'sum(rate(req_total[30s]))')).toEqual([[{}, expect.closeTo(3, 9)]]);
    expect(vec(engine, 'sum by (code) (req_total)').map((r) => r[1])).toEqual([200, 100]);
    expect(vec(engine, 'sum without (code, instance) (req_total)')).toEqual([[{ job: 'api' }, 300]]);
    expect(vec(engine, 'avg(req_total)')).toEqual([[{}, 150]]);
    expect(vec(engine, 'min by (job) (req_total)')).toEqual([[{ job: 'api' }, expect.closeTo(100, 9)]]);
    expect(vec(engine, 'max(req_total)')).toEqual([[{}, 200]]);
    expect(vec(engine, 'count(req_total)')).toEqual([[{}, 2]]);
  });

  it('histogram_quantile over rates of buckets', () => {
    const { engine } = fixture();
    // Per second: 5 <= 0.1, 4 more <= 1, 1 more above. p90 = rank 9 = top of the 1 s bucket; p70 = 0.1 + 0.9 * 2/4.
    expect(vec(engine, 'histogram_quantile(0.9, sum by (le) (rate(lat_bucket[30s])))')[0][1]).toBeCloseTo(1);
    expect(vec(engine, 'histogram_quantile(0.7, rate(lat_bucket[30s]))')).toEqual([[base, expect.closeTo(0.55, 9)]]);
    expect(vec(engine, 'histogram_quantile(0.99, rate(lat_bucket[30s]))')[0][1]).toBe(1);
  });

  it('over_time functions, changes and clamp_min', () => {
    const { engine } = fixture();
    expect(vec(engine, 'avg_over_time(temp[10s])')[0][1]).toBe(4.5);
    expect(vec(engine, 'max_over_time(temp[5s])')[0][1]).toBe(9);
    expect(vec(engine, 'min_over_time(temp[5s])')[0][1]).toBe(0);
    expect(vec(engine, 'changes(temp[10s])')[0][1]).toBe(9);
    expect(vec(engine, 'clamp_min(temp - 5, 0)', 103)).toEqual([[base, 0]]);
  });

  it('arithmetic and comparisons with scalars', () => {
    const { engine } = fixture();
    expect(vec(engine, 'req_total{code="500"} * 2 + 1')).toEqual([[{ code: '500', ...base }, 201]]);
    expect(vec(engine, '-req_total{code="500"}')[0][1]).toBe(-100);
    expect(vec(engine, 'req_total > 150')).toEqual([[{ __name__: 'req_total', code: '200', ...base }, 200]]);
    expect(vec(engine, '150 < req_total')).toEqual([[{ __name__: 'req_total', code: '200', ...base }, 200]]);
    expect(vec(engine, 'req_total >= bool 150').map((r) => r[1])).toEqual([1, 0]);
    expect(engine.query('1 + 2 * 3', 100)).toEqual({ resultType: 'scalar', result: [100, '7'] });
  });

  it('vector matching: one-to-one, on(), ignoring(), and refuses many-to-many', () => {
    const { engine } = fixture();
    expect(vec(engine, 'req_total{code="500"} / ignoring(code) sum by (job, instance) (req_total)')).toEqual([
      [base, 1 / 3],
    ]);
    expect(vec(engine, 'sum by (job) (req_total) / on(job) sum by (job) (rate(req_total[30s]))')).toEqual([
      [{ job: 'api' }, expect.closeTo(100, 9)],
    ]);
    expect(vec(engine, 'req_total == req_total')).toHaveLength(2);
    expect(vec(engine, 'req_total / req_total{code="500"}')).toEqual([[{ code: '500', ...base }, 1]]);
    expect(() => engine.query('req_total / on(job) req_total', 100)).toThrow(PromqlEvalError);
    expect(() => engine.query('sum(req_total) / on() req_total', 100)).toThrow(/many-to-many/);
  });

  it('set operators and, or, unless match by label signature and keep their own labels', () => {
    const { engine } = fixture();
    const code = (rows: [unknown, number][]) => rows.map(([m]) => (m as Record<string, string>).code);
    expect(vec(engine, 'req_total and req_total{code="500"}')).toEqual([
      [{ __name__: 'req_total', code: '500', ...base }, 100],
    ]);
    expect(code(vec(engine, 'req_total unless req_total{code="500"}') as [unknown, number][])).toEqual(['200']);
    expect(vec(engine, 'req_total{code="500"} or req_total > 150')).toEqual([
      [{ __name__: 'req_total', code: '200', ...base }, 200],
      [{ __name__: 'req_total', code: '500', ...base }, 100],
    ]);
    // or keeps the left side where both have the signature: the value is the left's.
    expect(vec(engine, 'sum(req_total) > 1 or sum(req_total) * 2')).toEqual([[{}, 300]]);
    expect(vec(engine, 'sum(req_total) > 1000 or sum(req_total) * 2')).toEqual([[{}, 600]]);
    // The multi-window shape of the SLO pages: both windows must be over the threshold.
    expect(vec(engine, 'sum(rate(req_total[1m])) > 2 and sum(rate(req_total[5s])) > 2')).toEqual([
      [{}, expect.closeTo(3, 9)],
    ]);
    expect(vec(engine, 'sum(rate(req_total[1m])) > 2 and sum(rate(req_total[5s])) > 4')).toEqual([]);
    expect(vec(engine, 'req_total and on(job) sum by (job) (req_total)')).toHaveLength(2);
    expect(vec(engine, 'req_total and on(instance) sum by (job) (req_total)')).toHaveLength(0);
    expect(() => engine.query('req_total and 1', 100)).toThrow(/set operator "and" not allowed/);
  });

  it('range queries return the Prometheus matrix shape', () => {
    const { store, engine } = fixture();
    const d = engine.queryRange('sum by (code) (max_over_time(req_total[30s]))', 100, 103, 1);
    expect(d).toEqual({
      resultType: 'matrix',
      result: [
        {
          metric: { code: '200' },
          values: [
            [100, '200'],
            [101, '202'],
            [102, '204'],
            [103, '206'],
          ],
        },
        {
          metric: { code: '500' },
          values: [
            [100, '100'],
            [101, '101'],
            [102, '102'],
            [103, '103'],
          ],
        },
      ],
    });
    expect(engine.queryRange('2', 0, 2, 2).result).toEqual([
      {
        metric: {},
        values: [
          [0, '2'],
          [2, '2'],
        ],
      },
    ]);
    expect(() => engine.queryRange('rate(req_total[1m])', 0, 100_000, 1)).toThrow(/11,000 points/);
    expect(() => engine.queryRange('req_total[1m]', 0, 1, 1)).toThrow(PromqlParseError);
    expect(() => engine.queryRange('rate(req_total[1m])', 10, 1, 1)).toThrow(/end timestamp/);
    for (let t = 0; t <= 100_000; t += 1000) store.append({ __name__: 'temp2', ...base }, t, 1);
    expect(() => engine.query('rate({__name__=~"temp.*"}[1m])', 100)).toThrow(/same labelset/);
  });

  it('formats values like Go', () => {
    expect([formatValue(NaN), formatValue(Infinity), formatValue(-Infinity), formatValue(0.25)]).toEqual([
      'NaN',
      '+Inf',
      '-Inf',
      '0.25',
    ]);
    expect([formatValue(1e21), formatValue(1.5e-7)]).toEqual(['1000000000000000000000', '0.00000015']);
  });
});
