import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SeriesStore } from '../metrics/series-store.ts';
import { createPromqlEngine } from '../promql/index.ts';
import { parseRuleFile } from './rule-file.ts';
import { RuleEvaluator, toAlertEventView } from './rule-evaluator.ts';
import { serverMessageSchema } from '../../protocol/ws-messages.ts';

const rules = parseRuleFile(
  't.yml',
  `
groups:
  - name: causes
    interval: 5s
    rules:
      - alert: QueueHigh
        expr: max by (service) (queue) > 1
        for: 10s
        labels: { severity: warning }
        annotations: { summary: "{{ $labels.service }} queue {{ $value }}" }
      - record: service:queue:max
        expr: max by (service) (queue)
  - name: broken
    interval: 5s
    rules:
      - alert: Collides
        expr: '{__name__=~"queue|twin"}'
`,
  5_000,
);

/** A gauge `queue{service="api"}` scraped every second: `valueAt(second)`. */
function feed(store: SeriesStore, fromS: number, toS: number, valueAt: (s: number) => number) {
  for (let s = fromS; s <= toS; s++)
    store.append({ __name__: 'queue', service: 'api', job: 'api' }, s * 1000, valueAt(s));
}

describe('rule evaluator', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('evaluates each group every interval: pending, firing, resolved, with ALERTS written back', async () => {
    const store = new SeriesStore({ retentionMs: 3_600_000 });
    const ev = new RuleEvaluator({ store, groups: rules.slice(0, 1) });
    const seen: string[] = [];
    ev.subscribe((e) => seen.push(`${e.alertname}:${e.state}@${e.atMs / 1000}`));
    // Queue of 4 from 12 s to 40 s, else 0.
    feed(store, 0, 120, (s) => (s >= 12 && s <= 40 ? 4 : 0));
    ev.start();
    await vi.advanceTimersByTimeAsync(60_000);
    ev.stop();
    // Pending at the first evaluation that sees it (15 s), firing 10 s later (25 s), resolved at 45 s.
    expect(seen).toEqual(['QueueHigh:pending@15', 'QueueHigh:firing@25', 'QueueHigh:resolved@45']);
    expect(ev.events().map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(ev.events()[1]).toMatchObject({
      group: 'causes',
      labels: { alertname: 'QueueHigh', service: 'api', severity: 'warning' },
      annotations: { summary: 'api queue 4' },
    });

    const engine = createPromqlEngine(store);
    const alerts = engine
      .queryRange('ALERTS', 10, 50, 5)
      .result.map((r) => [r.metric.alertstate, r.values.map(([t]) => t)]);
    // A staleness marker ends each state's series at the evaluation that left it.
    expect(alerts).toEqual([
      ['firing', [25, 30, 35, 40]],
      ['pending', [15, 20]],
    ]);
    expect(engine.queryRange('service:queue:max', 40, 45, 5).result).toEqual([
      {
        metric: { __name__: 'service:queue:max', service: 'api' },
        values: [
          [40, '4'],
          [45, '0'],
        ],
      },
    ]);
    // stop() stops: no evaluation after it.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ev.rules().map((r) => r.lastEvaluationMs)).toEqual([60_000, 60_000]);
  });

  it('pushes each state change as a WebSocket message the protocol schema accepts (NaN as null)', () => {
    const store = new SeriesStore({ retentionMs: 3_600_000 });
    const ev = new RuleEvaluator({ store, groups: rules.slice(0, 1) });
    const pushed: unknown[] = [];
    const unsubscribe = ev.subscribe((e) =>
      pushed.push(serverMessageSchema.parse({ type: 'alert', alert: toAlertEventView(e) })),
    );
    feed(store, 0, 10, (s) => (s >= 3 ? NaN : 0));
    store.append({ __name__: 'queue', service: 'inventory', job: 'inventory' }, 3000, 7);
    ev.evaluateAll(5_000);
    unsubscribe();
    ev.evaluateAll(30_000);
    expect(pushed).toEqual([
      {
        type: 'alert',
        alert: {
          seq: 1,
          alertname: 'QueueHigh',
          state: 'pending',
          at: 5_000,
          value: 7,
          labels: { alertname: 'QueueHigh', service: 'inventory', severity: 'warning' },
          annotations: { summary: 'inventory queue 7' },
        },
      },
    ]);
    expect(toAlertEventView({ ...ev.events()[0], value: NaN }).value).toBeNull();
  });

  it('an alert that flaps back under the threshold before `for` never fires', () => {
    const store = new SeriesStore({ retentionMs: 3_600_000 });
    const ev = new RuleEvaluator({ store, groups: rules.slice(0, 1) });
    feed(store, 0, 60, (s) => (s >= 12 && s <= 20 ? 4 : 0));
    for (let t = 5_000; t <= 60_000; t += 5_000) ev.evaluateAll(t);
    expect(ev.events().map((e) => `${e.state}@${e.atMs / 1000}`)).toEqual(['pending@15', 'inactive@25']);
    expect(ev.alerts()).toEqual([]);
  });

  it('a failing expression reports its error and changes no state', () => {
    const store = new SeriesStore({ retentionMs: 3_600_000 });
    feed(store, 0, 10, () => 4);
    store.append({ __name__: 'twin', service: 'api', job: 'api' }, 1000, 1);
    const ev = new RuleEvaluator({ store, groups: rules });
    ev.evaluateAll(5_000);
    expect(ev.rules().map((r) => [r.name, r.health, r.lastError])).toEqual([
      ['QueueHigh', 'ok', null],
      ['service:queue:max', 'ok', null],
      ['Collides', 'err', 'vector contains metrics with the same labelset after applying alert labels'],
    ]);
  });

  it('keeps at most maxEvents state changes, dropping the oldest', () => {
    const store = new SeriesStore({ retentionMs: 3_600_000 });
    const ev = new RuleEvaluator({ store, groups: rules.slice(0, 1), maxEvents: 3 });
    // The queue flaps every 5 s: pending, inactive, pending, inactive …
    feed(store, 0, 100, (s) => (Math.floor(s / 5) % 2 === 1 ? 4 : 0));
    for (let t = 5_000; t <= 100_000; t += 5_000) ev.evaluateAll(t);
    const events = ev.events();
    expect(events).toHaveLength(3);
    expect(events.map((e) => e.seq)).toEqual([events[0].seq, events[0].seq + 1, events[0].seq + 2]);
    expect(events[0].seq).toBeGreaterThan(1);
  });
});
