import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { openMetricsRegistry } from '@observastack/sut-common/metrics.ts';
import { parseExposition } from './exposition-parser.ts';

describe('parseExposition', () => {
  it('reads counters, gauges and histograms exactly as prom-client writes them', async () => {
    const registry = new Registry();
    const c = new Counter({
      name: 'x_total',
      help: 'a "counter"\nwith newline',
      labelNames: ['route'],
      registers: [registry],
    });
    const g = new Gauge({ name: 'y', help: 'g', registers: [registry] });
    const h = new Histogram({
      name: 'z_seconds',
      help: 'h',
      labelNames: ['op'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    c.inc({ route: 'a"b\\c\nd' }, 3);
    g.set(-1.5);
    h.observe({ op: 'read' }, 0.5);
    const { samples, types, help } = parseExposition(await registry.metrics());
    expect(types.get('x_total')).toBe('counter');
    expect(types.get('z_seconds')).toBe('histogram');
    expect(help.get('x_total')).toBe('a "counter"\nwith newline');
    expect(samples).toContainEqual({ name: 'x_total', labels: { route: 'a"b\\c\nd' }, value: 3 });
    expect(samples).toContainEqual({ name: 'y', labels: {}, value: -1.5 });
    expect(samples.filter((s) => s.name === 'z_seconds_bucket')).toEqual([
      { name: 'z_seconds_bucket', labels: { le: '0.1', op: 'read' }, value: 0 },
      { name: 'z_seconds_bucket', labels: { le: '1', op: 'read' }, value: 1 },
      { name: 'z_seconds_bucket', labels: { le: '+Inf', op: 'read' }, value: 1 },
    ]);
    expect(samples).toContainEqual({ name: 'z_seconds_sum', labels: { op: 'read' }, value: 0.5 });
    expect(samples).toContainEqual({ name: 'z_seconds_count', labels: { op: 'read' }, value: 1 });
  });

  it('reads NaN, infinities, exponents, timestamps and a trailing comma', () => {
    const { samples } = parseExposition('a NaN\nb +Inf\nc -Inf 1700000000000\nd{x="1",} 1.5e3\n# a comment\n\n');
    expect(samples[0].value).toBeNaN();
    expect(samples.slice(1)).toEqual([
      { name: 'b', labels: {}, value: Infinity },
      { name: 'c', labels: {}, value: -Infinity, timestampMs: 1700000000000 },
      { name: 'd', labels: { x: '1' }, value: 1500 },
    ]);
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseExposition('ok 1\nbad{x="1" 2')).toThrowErrorMatchingInlineSnapshot(
      `[ExpositionParseError: line 2: expected ',' or '}' at column 11]`,
    );
    expect(() => parseExposition('a one')).toThrowErrorMatchingInlineSnapshot(
      `[ExpositionParseError: line 1: invalid number "one"]`,
    );
    expect(() => parseExposition('a{x="\\q"} 1')).toThrowErrorMatchingInlineSnapshot(
      `[ExpositionParseError: line 1: invalid escape \\q in label x]`,
    );
    expect(() => parseExposition('# TYPE a bogus')).toThrow(/unknown metric type/);
  });

  it("reads prom-client's OpenMetrics: counters' _total samples, exemplars on buckets, the final # EOF", async () => {
    const registry = openMetricsRegistry();
    const c = new Counter({ name: 'req_total', help: 'c', registers: [registry] });
    const h = new Histogram({
      name: 'lat_seconds',
      help: 'h',
      labelNames: ['route'],
      buckets: [0.1, 1],
      registers: [registry],
      enableExemplars: true,
    });
    c.inc(2);
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    // prom-client's typings want the metric's own label names on an exemplar; the SUT's traceExemplar() says why.
    const exemplarLabels = { trace_id: trace } as unknown as { route: string };
    h.observe({ labels: { route: '/a' }, value: 0.5, exemplarLabels });
    h.observe({ labels: { route: '/a' }, value: 0.05, exemplarLabels: {} });
    const text = await registry.metrics();
    expect(text).toMatch(/# EOF\n$/);
    const { samples, types } = parseExposition(text, 'openmetrics');
    expect(types.get('req')).toBe('counter');
    expect(samples).toContainEqual({ name: 'req_total', labels: {}, value: 2 });
    const buckets = samples.filter((s) => s.name === 'lat_seconds_bucket');
    expect(buckets.map((b) => [b.labels.le, b.value, b.exemplar?.labels.trace_id])).toEqual([
      ['0.1', 1, undefined],
      ['1', 2, trace],
      ['+Inf', 2, undefined],
    ]);
    expect(buckets[1].exemplar?.value).toBe(0.5);
    expect(Math.abs((buckets[1].exemplar?.timestampMs ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it('reads a hand-written exemplar and refuses a broken one', () => {
    const [s] = parseExposition(
      'a_bucket{le="1"} 3 1700000001.25 # {trace_id="ab",x="y"} 0.25 1700000000.5\n# EOF\n',
      'openmetrics',
    ).samples;
    expect(s).toEqual({
      name: 'a_bucket',
      labels: { le: '1' },
      value: 3,
      timestampMs: 1700000001250,
      exemplar: { labels: { trace_id: 'ab', x: 'y' }, value: 0.25, timestampMs: 1700000000500 },
    });
    expect(() => parseExposition('a 1 # trace 2')).toThrow(/exemplar starts with its label set/);
    expect(() => parseExposition('a 1 # {t="1"}')).toThrow(/value \[timestamp\]" in the exemplar/);
  });
});
