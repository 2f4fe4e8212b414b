import { describe, expect, it } from 'vitest';
import { parsePromql, vectorSelectors } from '../promql/index.ts';
import { ExemplarStore } from './exemplar-store.ts';

const bucket = (service: string, le: string) => ({
  __name__: 'http_server_request_duration_seconds_bucket',
  job: service,
  instance: `${service}:1`,
  service,
  le,
});
const select = (q: string) => vectorSelectors(parsePromql(q));

describe('ExemplarStore', () => {
  it('keeps an exemplar once although every scrape repeats it, and answers the series a query selects', () => {
    const now = Date.now();
    const store = new ExemplarStore({ retentionMs: 60_000 });
    const e = (trace: string, at: number) => ({ labels: { trace_id: trace }, value: 0.3, timestampMs: at });
    for (let scrape = 0; scrape < 3; scrape++) store.add(bucket('gateway', '0.5'), e('aa', now - 5000), now);
    store.add(bucket('gateway', '0.5'), e('bb', now - 2000), now);
    store.add(bucket('api', '0.5'), e('cc', now - 1000), now);
    expect(store.size).toBe(3);
    const q =
      'histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{service="gateway"}[30s])))';
    expect(store.query(select(q), now - 60_000, now)).toEqual([
      {
        seriesLabels: bucket('gateway', '0.5'),
        exemplars: [
          { labels: { trace_id: 'aa' }, value: '0.3', timestamp: (now - 5000) / 1000 },
          { labels: { trace_id: 'bb' }, value: '0.3', timestamp: (now - 2000) / 1000 },
        ],
      },
    ]);
    expect(store.query(select('up'), now - 60_000, now)).toEqual([]);
    expect(store.query(select(q), now - 3000, now)[0].exemplars.map((x) => x.labels.trace_id)).toEqual(['bb']);
  });

  it('is bounded by count (oldest dropped first) and by retention', () => {
    const now = Date.now();
    const store = new ExemplarStore({ capacity: 5, retentionMs: 4_500 });
    for (let i = 0; i < 12; i++)
      store.add(
        bucket('api', String(i)),
        { labels: { trace_id: `t${i}` }, value: i, timestampMs: now - 12_000 + i * 1000 },
        now,
      );
    expect(store.size).toBe(5);
    const kept = store.query(select('http_server_request_duration_seconds_bucket'), 0, now);
    // t7..t11 are in the buffer; t7 (5 s old) is older than the 4.5 s retention.
    expect(kept.flatMap((s) => s.exemplars.map((x) => x.labels.trace_id)).sort()).toEqual(['t10', 't11', 't8', 't9']);
  });
});
