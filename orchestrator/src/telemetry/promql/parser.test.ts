import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseNumber, parsePromql, unquote } from './parser.ts';
import { PromqlParseError, PromqlUnsupportedError } from './errors.ts';

describe('parsePromql', () => {
  it('builds the AST of a catalog-shaped query', () => {
    const e = parsePromql('sum by (service) (rate(x_total{a="b",c=~"5.."}[1m30s])) / on(service) sum(y) > bool 0.5');
    expect(e.type).toBe('binary');
    if (e.type !== 'binary') return;
    expect([e.op, e.bool]).toEqual(['>', true]);
    const div = e.lhs;
    expect(div).toMatchObject({ type: 'binary', op: '/', matching: { on: true, labels: ['service'] } });
    if (div.type !== 'binary') return;
    expect(div.lhs).toMatchObject({ type: 'aggregate', op: 'sum', without: false, labels: ['service'] });
    if (div.lhs.type !== 'aggregate' || div.lhs.expr.type !== 'call') return;
    const arg = div.lhs.expr.args[0];
    expect(arg).toMatchObject({ type: 'matrixSelector', rangeMs: 90_000, selector: { name: 'x_total' } });
    if (arg.type !== 'matrixSelector') return;
    expect(arg.selector.matchers.map((m) => [m.name, m.op, m.value])).toEqual([
      ['__name__', '=', 'x_total'],
      ['a', '=', 'b'],
      ['c', '=~', '5..'],
    ]);
  });

  it.each([
    'rate(a[5m])',
    'irate(a[5m])',
    'increase(a[1h])',
    'changes(a[1m])',
    'avg_over_time(a[1m])',
    'min_over_time(a[1m])',
    'max_over_time(a[1m])',
    'histogram_quantile(0.9, sum by (le) (rate(a_bucket[1m])))',
    'clamp_min(a - 1, 0)',
    'sum(a) without (x)',
    'avg(a)',
    'min(a)',
    'max(a)',
    'count(a)',
    '-a',
    '(a + b) * 2',
    'a != ignoring(x) b',
    '1 + 2',
    '{__name__="a", b!~"c"}',
    'a >= 1',
    'a < 1',
    'a <= 1',
    'a == 1',
    '1 > bool 2',
  ])('accepts %s', (q) => {
    expect(() => parsePromql(q)).not.toThrow();
  });

  it.each([
    ['predict_linear(a[5m], 3)', "function 'predict_linear' is not supported by the embedded hub"],
    ['label_replace(a, "x", "$1", "y", "(.*)")', "function 'label_replace' is not supported by the embedded hub"],
    ['topk(3, a)', "aggregation 'topk' is not supported by the embedded hub"],
    ['quantile(0.5, a)', "aggregation 'quantile' is not supported by the embedded hub"],
    ['a % 2', "operator '%' is not supported by the embedded hub"],
    ['a ^ 2', "operator '^' is not supported by the embedded hub"],
    ['rate(a[5m:1m])', 'a subquery is not supported by the embedded hub'],
    ['a offset 5m', 'the offset modifier is not supported by the embedded hub'],
    ['a @ 100', 'the @ modifier is not supported by the embedded hub'],
    ['a * on(x) group_left b', 'group_left/group_right matching is not supported by the embedded hub'],
    ['"text"', 'a string literal is not supported by the embedded hub'],
  ])('refuses %s by name', (q, message) => {
    expect(() => parsePromql(q)).toThrow(PromqlUnsupportedError);
    expect(() => parsePromql(q)).toThrow(message);
  });

  it.each([
    ['rate(a[5m]', /syntax error at position/],
    ['', /empty query/],
    ['rate(a)', /expected type range vector in call to function "rate", got instant vector/],
    ['sum(a[1m])', /expected type instant vector in aggregation expression/],
    ['a[1m] + 1', /binary expression must contain only scalar and instant vector types/],
    ['1 > 2', /comparisons between scalars must use BOOL modifier/],
    ['{a=""}', /at least one non-empty matcher/],
    ['a{b=~"("}', /invalid regular expression/],
    ['histogram_quantile(0.9)', /expected 2 argument/],
  ])('reports invalid %s', (q, message) => {
    expect(() => parsePromql(q)).toThrow(PromqlParseError);
    expect(() => parsePromql(q)).toThrow(message);
  });
});

describe('literals', () => {
  it('reads numbers, durations and Go strings', () => {
    expect([parseNumber('0x1F'), parseNumber('1e3'), parseNumber('Inf'), parseNumber('1m')]).toEqual([
      31,
      1000,
      Infinity,
      60,
    ]);
    expect(parseNumber('NaN')).toBeNaN();
    expect([parseDurationMs('1h30m'), parseDurationMs('250ms'), parseDurationMs('90')]).toEqual([
      5_400_000, 250, 90_000,
    ]);
    expect([unquote('"a\\"b\\n"'), unquote("'x\\\\'"), unquote('`raw\\n`'), unquote('"\\u00e9"')]).toEqual([
      'a"b\n',
      'x\\',
      'raw\\n',
      'é',
    ]);
  });
});
