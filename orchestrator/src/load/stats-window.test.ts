import { describe, expect, it } from 'vitest';
import { countOffered, countSettled } from './second-stats.ts';
import { createStatsWindow } from './stats-window.ts';
import { maxPlanRps } from './plan-schema.ts';

// Times are explicit epoch milliseconds: the window's rules, not a clock, decide when a second is reported.
const T = 1_800_000_000;

describe('per-second stats window', () => {
  it('attributes requests to their scheduled second and reports it once they have settled', () => {
    const w = createStatsWindow();
    const b = w.bucketAt(T);
    countOffered(b, 'view', true);
    countOffered(b, 'checkout', true);
    countOffered(b, 'browse', false); // dropped
    countSettled(b, w.pool, 'checkout', 'ok', 40, true);
    w.bucketAt(T + 1);
    w.markEnded(T * 1000 + 1000, 1);
    expect(w.collect(T * 1000 + 1001, 3000)).toEqual([]); // the view request is still pending

    countSettled(b, w.pool, 'view', 'server', 120, false);
    const [s] = w.collect(T * 1000 + 1200, 3000);
    expect(s).toMatchObject({ t: T, offered: 3, sent: 2, completed: 2, ordersCreated: 1, inFlight: 1 });
    expect(s.outcomes).toEqual({ ok: 1, client: 0, rate_limited: 0, server: 1, timeout: 0, connection: 0, dropped: 1 });
    expect(s.successPct).toBeCloseTo(100 / 3, 9);
    expect(s.latencyMs?.max).toBeCloseTo(120, 0);
    expect(s.journeys.browse).toEqual({ count: 1, ok: 0, p95Ms: null });
    expect(s.journeys.checkout.ok).toBe(1);
  });

  it('reports a second whose request never settles once maxWaitMs has passed, and in order', () => {
    const w = createStatsWindow();
    countOffered(w.bucketAt(T), 'view', true);
    countOffered(w.bucketAt(T + 2), 'view', true); // T + 1 is created empty
    expect(w.collect(T * 1000 + 2500, 2000)).toEqual([]);
    const reported = w.collect(T * 1000 + 3000, 2000);
    expect(reported.map((s) => s.t)).toEqual([T, T + 1]);
    expect(reported[1].offered).toBe(0);
    expect(reported[1].successPct).toBeNull();
  });

  it('summarises the last N reported seconds with merged percentiles', () => {
    const w = createStatsWindow();
    for (let i = 0; i < 40; i++) {
      const b = w.bucketAt(T + i);
      for (let k = 0; k < 10; k++) {
        countOffered(b, 'view', true);
        countSettled(b, w.pool, 'view', k === 0 && i >= 30 ? 'timeout' : 'ok', i >= 30 ? 100 + k : 1, false);
      }
    }
    w.collect((T + 41) * 1000, 0);
    const s = w.summary(10);
    expect(s).toMatchObject({ seconds: 10, fromT: T + 30, toT: T + 39, count: 100, ok: 90 });
    expect(s.outcomes.timeout).toBe(10);
    expect(s.successPct).toBe(90);
    expect(s.latencyMs?.p50).toBeGreaterThan(100); // only the last 10 seconds (latencies 101..109) count
    expect(w.summary(1000).seconds).toBe(40);
    expect(w.recent(3).map((r) => r.t)).toEqual([T + 37, T + 38, T + 39]);
  });

  it("counts seconds at the plans' highest rate exactly, and windows of them past 16 bits", () => {
    const w = createStatsWindow();
    for (let i = 0; i < 20; i++) {
      const b = w.bucketAt(T + i);
      for (let k = 0; k < maxPlanRps; k++) {
        countOffered(b, 'browse', true);
        countSettled(b, w.pool, 'browse', 'ok', k === 0 ? 900 : 12, false);
      }
    }
    const seconds = w.collect((T + 21) * 1000, 0);
    expect(seconds[19].latencyMs).toMatchObject({ p99: expect.closeTo(12, 0), max: expect.closeTo(900, -1) });
    const s = w.summary(20); // 99 980 samples of 12 ms in one bucket: more than a 16-bit count holds
    expect(s.count).toBe(20 * maxPlanRps);
    expect(s.latencyMs?.p99).toBeCloseTo(12, 0);
    expect(s.latencyMs?.max).toBeCloseTo(900, -1);
  });

  it('keeps 15 minutes of seconds', () => {
    const w = createStatsWindow();
    w.bucketAt(T);
    w.bucketAt(T + 1000);
    w.collect((T + 1001) * 1000, 0);
    expect(w.recent(5000)).toHaveLength(900);
    expect(w.recent(1)[0].t).toBe(T + 1000);
  });
});
