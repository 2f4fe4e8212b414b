import { describe, expect, it } from 'vitest';
import type { LoadPhase } from './plan-schema.ts';
import { phaseArrivals, phaseRate, planArrivals, planDurationS, planRate } from './patterns.ts';

const constant: LoadPhase = { pattern: 'constant', durationS: 10, rps: 50 };
const ramp: LoadPhase = { pattern: 'ramp', durationS: 10, fromRps: 0, toRps: 100 };
const step: LoadPhase = { pattern: 'step', durationS: 8, fromRps: 100, toRps: 400, steps: 4 };
const spike: LoadPhase = { pattern: 'spike', durationS: 30, baseRps: 50, peakRps: 250, atS: 10, forS: 5 };
const wave: LoadPhase = { pattern: 'wave', durationS: 40, baseRps: 100, amplitudeRps: 50, periodS: 20 };

/** Trapezoid integral of the rate, to check each closed form against its own rate function. */
function integrate(rate: (t: number) => number, to: number, steps = 20_000): number {
  const h = to / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += ((rate(i * h) + rate((i + 1) * h)) / 2) * h;
  return sum;
}

describe('phase rates', () => {
  it('constant holds its rate', () => {
    expect([0, 5, 10].map((t) => phaseRate(constant, t))).toEqual([50, 50, 50]);
  });
  it('ramp is linear from fromRps to toRps', () => {
    expect([0, 2.5, 5, 10].map((t) => phaseRate(ramp, t))).toEqual([0, 25, 50, 100]);
  });
  it('step climbs in equal stairs from fromRps to toRps', () => {
    expect([0, 1.99, 2, 4, 6, 7.99, 8].map((t) => phaseRate(step, t))).toEqual([100, 100, 200, 300, 400, 400, 400]);
  });
  it('spike is peakRps in [atS, atS + forS) and baseRps elsewhere', () => {
    expect([0, 9.99, 10, 14.99, 15, 30].map((t) => phaseRate(spike, t))).toEqual([50, 50, 250, 250, 50, 50]);
  });
  it('wave swings amplitudeRps around baseRps', () => {
    expect([0, 5, 10, 15].map((t) => Math.round(phaseRate(wave, t)))).toEqual([100, 150, 100, 50]);
  });
});

describe('phase arrivals (integral of the rate)', () => {
  for (const phase of [constant, ramp, step, spike, wave]) {
    it(`${phase.pattern} matches a numeric integral of its rate`, () => {
      for (const t of [0.3, phase.durationS / 3, phase.durationS / 2 + 0.7, phase.durationS]) {
        expect(phaseArrivals(phase, t)).toBeCloseTo(
          integrate((x) => phaseRate(phase, x), t),
          0,
        );
      }
    });
  }
  it('gives the expected totals', () => {
    expect(phaseArrivals(constant, 10)).toBe(500);
    expect(phaseArrivals(ramp, 10)).toBe(500);
    expect(phaseArrivals(step, 8)).toBe(2000);
    expect(phaseArrivals(spike, 30)).toBe(25 * 50 + 5 * 250);
    expect(phaseArrivals(wave, 40)).toBeCloseTo(4000, 9);
  });
});

describe('plans', () => {
  const phases: LoadPhase[] = [constant, ramp, { pattern: 'constant', durationS: 5, rps: 20 }];

  it('runs phases in order and holds the last rate after the end', () => {
    expect(planDurationS(phases)).toBe(25);
    expect([0, 9.9, 10, 15, 20, 24, 25, 100].map((t) => planRate(phases, t))).toEqual([50, 50, 0, 50, 20, 20, 20, 20]);
  });

  it('accumulates arrivals across phases and keeps going at the last rate', () => {
    expect(planArrivals(phases, 0)).toBe(0);
    expect(planArrivals(phases, 10)).toBe(500);
    expect(planArrivals(phases, 20)).toBe(1000);
    expect(planArrivals(phases, 25)).toBe(1100);
    expect(planArrivals(phases, 35)).toBe(1300);
  });

  it('holds a ramp at its final rate after the last phase', () => {
    expect(planRate([ramp], 60)).toBe(100);
    expect(planArrivals([ramp], 12)).toBe(700);
  });

  it('is never decreasing, so the scheduler never owes negative requests', () => {
    const plan = [wave, spike, step, ramp];
    let previous = 0;
    for (let t = 0; t < planDurationS(plan) + 5; t += 0.05) {
      const a = planArrivals(plan, t);
      expect(a).toBeGreaterThanOrEqual(previous - 1e-9);
      previous = a;
    }
  });
});
