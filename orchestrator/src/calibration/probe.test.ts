import { describe, expect, it } from 'vitest';
import type { SecondStats } from '../load/index.ts';
import { emptyOutcomeCounts } from '../load/outcome.ts';
import { judgeStair, probeRates, probeWarmS, stairPlan, warmPlan } from './probe.ts';
import { loadPlanSchema, planDurationS } from '../load/index.ts';

const second = (offered: number, ok: number, p95: number | null): SecondStats => ({
  t: 0,
  offered,
  sent: offered,
  completed: ok,
  outcomes: { ...emptyOutcomeCounts(), ok, timeout: offered - ok },
  successPct: (100 * ok) / offered,
  latencyMs: p95 === null ? null : { p50: p95 / 2, p95, p99: p95, max: p95 },
  journeys: {} as SecondStats['journeys'],
  ordersCreated: 0,
  inFlight: 0,
});

describe('judgeStair', () => {
  it('holds when 99 % succeed and the median second is within 250 ms', () => {
    expect(judgeStair(200, [second(200, 200, 40), second(200, 199, 60), second(200, 200, 900)]).passed).toBe(true);
  });
  it('breaks on two slow seconds of three', () => {
    expect(judgeStair(200, [second(200, 200, 40), second(200, 200, 300), second(200, 200, 900)])).toMatchObject({
      passed: false,
      p95Ms: [40, 300, 900],
    });
  });
  it('breaks below 99 % success merged over the stair, timeouts and drops counting', () => {
    const s = judgeStair(100, [second(100, 100, 10), second(100, 97, 10)]);
    expect(s).toMatchObject({ passed: false, successPct: 98.5 });
  });
  it('breaks when no request completed, and on no seconds at all', () => {
    expect(judgeStair(100, [second(100, 0, null), second(100, 0, null)]).passed).toBe(false);
    expect(judgeStair(100, []).passed).toBe(false);
  });
});

describe("the probe's plans", () => {
  it('are valid plans of the everyday mix: a warm-up ramp, then a constant stair', () => {
    const warm = loadPlanSchema.parse(warmPlan());
    expect(planDurationS(warm.phases)).toBe(probeWarmS);
    expect(warm.journeys.checkout).toBeGreaterThan(0);
    for (const rps of probeRates)
      expect(loadPlanSchema.parse(stairPlan(rps)).phases).toEqual([{ pattern: 'constant', durationS: 60, rps }]);
  });
});
