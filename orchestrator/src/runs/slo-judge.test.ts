import { describe, expect, it } from 'vitest';
import { judgeSlo } from './slo-judge.ts';
import type { WindowSummary } from '../load/stats-window.ts';

const slo = {
  successPct: 99,
  latencyPercentile: 95 as const,
  latencyThresholdMs: 250,
  windowSeconds: 30,
  holdSeconds: 20,
  rateLimitedCountsAsSuccess: false,
};

function summary(p: Partial<WindowSummary['outcomes']>, p95: number | null): WindowSummary {
  const outcomes = { ok: 0, client: 0, rate_limited: 0, server: 0, timeout: 0, connection: 0, dropped: 0, ...p };
  const count = Object.values(outcomes).reduce((a, b) => a + b, 0);
  return {
    seconds: 30,
    fromT: 1,
    toT: 30,
    count,
    ok: outcomes.ok,
    successPct: count ? (100 * outcomes.ok) / count : null,
    outcomes,
    latencyMs: p95 === null ? null : { p50: p95 / 2, p95, p99: p95 * 1.5, max: p95 * 2 },
    journeys: {} as WindowSummary['journeys'],
    ordersCreated: 0,
  };
}

describe('judgeSlo', () => {
  it('holds when success and the latency percentile are within the objective', () => {
    expect(judgeSlo(summary({ ok: 1000, server: 5 }, 120), slo)).toMatchObject({ met: true, reasons: [] });
  });

  it('names every reason it is breached', () => {
    const v = judgeSlo(summary({ ok: 900, server: 100 }, 400), slo);
    expect(v.met).toBe(false);
    expect(v.reasons).toMatchInlineSnapshot(`
      [
        "success 90.00 % < 99 %",
        "p95 400 ms > 250 ms",
      ]
    `);
  });

  it('is not met without traffic', () => {
    expect(judgeSlo(summary({}, null), slo)).toMatchObject({ met: false, reasons: ['no traffic in the window'] });
  });

  it('counts 429s as served only when the scenario says so', () => {
    const s = summary({ ok: 500, rate_limited: 500 }, 50);
    expect(judgeSlo(s, slo).met).toBe(false);
    expect(judgeSlo(s, { ...slo, rateLimitedCountsAsSuccess: true }).met).toBe(true);
  });

  it('judges the percentile the SLO names', () => {
    const s = summary({ ok: 100 }, 200); // p99 = 300
    expect(judgeSlo(s, { ...slo, latencyPercentile: 99 }).met).toBe(false);
    expect(judgeSlo(s, { ...slo, latencyPercentile: 50 }).met).toBe(true);
  });
});
