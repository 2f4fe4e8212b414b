import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
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
});
