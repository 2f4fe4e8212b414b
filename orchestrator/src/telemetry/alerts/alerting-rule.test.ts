import { describe, expect, it } from 'vitest';
import { AlertingRule } from './alerting-rule.ts';

const spec = {
  alert: 'QueueHigh',
  expr: 'queue > 1',
  for: 10_000,
  labels: { severity: 'warning', team: '{{ $labels.service }}-oncall' },
  annotations: { summary: '{{ $labels.service }} queue at {{ $value }}' },
};
const sample = (service: string, value: number) => ({ labels: { __name__: 'queue', service }, value });
const states = (r: AlertingRule) => r.alerts().map((a) => `${a.labels.service}:${a.state}`);

describe('alerting rule state machine', () => {
  it('goes pending, fires after `for`, resolves when the series leaves the result', () => {
    const r = new AlertingRule(spec);
    expect(r.evaluate([], 0)).toEqual([]);
    const [pending] = r.evaluate([sample('api', 3)], 5_000);
    expect(pending).toEqual({
      state: 'pending',
      atMs: 5_000,
      value: 3,
      labels: { alertname: 'QueueHigh', service: 'api', severity: 'warning', team: 'api-oncall' },
      annotations: { summary: 'api queue at 3' },
    });
    expect(r.evaluate([sample('api', 4)], 10_000)).toEqual([]);
    expect(r.alerts()[0]).toMatchObject({
      state: 'pending',
      activeAtMs: 5_000,
      value: 4,
      annotations: { summary: 'api queue at 4' },
    });
    // 14.999 s active: still pending; 15 s: `for: 10s` has passed.
    expect(r.evaluate([sample('api', 4)], 14_999)).toEqual([]);
    expect(r.evaluate([sample('api', 5)], 15_000).map((t) => [t.state, t.atMs])).toEqual([['firing', 15_000]]);
    expect(r.alerts()[0]).toMatchObject({ state: 'firing', firedAtMs: 15_000 });
    expect(r.evaluate([sample('api', 5)], 20_000)).toEqual([]);
    expect(r.evaluate([], 25_000).map((t) => [t.state, t.atMs, t.value])).toEqual([['resolved', 25_000, 5]]);
    expect(r.alerts()).toEqual([]);
  });

  it('a pending alert that disappears becomes inactive and starts over when it comes back', () => {
    const r = new AlertingRule(spec);
    r.evaluate([sample('api', 3)], 0);
    expect(r.evaluate([], 5_000).map((t) => t.state)).toEqual(['inactive']);
    r.evaluate([sample('api', 3)], 10_000);
    expect(r.evaluate([sample('api', 3)], 15_000)).toEqual([]);
    expect(r.evaluate([sample('api', 3)], 20_000).map((t) => t.state)).toEqual(['firing']);
  });

  it('keeps one alert per label set; for: 0 fires at once', () => {
    const r = new AlertingRule({ ...spec, for: 0 });
    const t = r.evaluate([sample('api', 3), sample('inventory', 2)], 0);
    expect(t.map((x) => `${x.labels.service}:${x.state}`)).toEqual([
      'api:pending',
      'inventory:pending',
      'api:firing',
      'inventory:firing',
    ]);
    r.evaluate([sample('inventory', 2)], 5_000);
    expect(states(r)).toEqual(['inventory:firing']);
  });

  it('refuses a result whose alerts collide once the name is dropped', () => {
    const r = new AlertingRule(spec);
    expect(() =>
      r.evaluate(
        [
          { labels: { __name__: 'a', service: 'x' }, value: 1 },
          { labels: { __name__: 'b', service: 'x' }, value: 1 },
        ],
        0,
      ),
    ).toThrow(/same labelset after applying alert labels/);
  });
});
