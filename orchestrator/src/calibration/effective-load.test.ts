import { describe, expect, it } from 'vitest';
import { loadPlanSchema } from '../load/index.ts';
import { configured } from './calibrator.ts';
import {
  CapacityRefusal,
  effectiveLoad,
  minOverload,
  peakRps,
  referenceCapacityRps,
  scalePlan,
} from './effective-load.ts';

const plan = (phases: unknown[]) => loadPlanSchema.parse({ phases });
const baseline = plan([{ pattern: 'constant', durationS: 60, rps: 80 }]);
const spike = {
  id: 'spike',
  baselinePlan: baseline,
  faultPlan: plan([{ pattern: 'constant', durationS: 600, rps: 1000 }]),
};
const configFault = { id: 'pool', baselinePlan: baseline, faultPlan: null };

describe('effectiveLoad', () => {
  it('uses the YAML rates as they are without a calibration, and says so', () => {
    const e = effectiveLoad(spike, null);
    expect(e.baseline).toBe(spike.baselinePlan);
    expect(e.fault).toBe(spike.faultPlan);
    expect(e.figures).toMatchObject({
      source: 'reference',
      capacityRps: null,
      baselineRps: 80,
      faultRps: 1000,
      overload: null,
    });
  });

  it("keeps the baseline and scales a load fault to the same multiple of this machine's capacity as of the reference", () => {
    const factor = Math.max(minOverload, 1000 / referenceCapacityRps);
    for (const capacity of [300, referenceCapacityRps, 2000]) {
      const e = effectiveLoad(spike, configured(capacity));
      expect(e.baseline).toBe(spike.baselinePlan);
      expect(e.figures.faultRps).toBe(Math.round(factor * capacity));
      expect(peakRps(e.fault!.phases)).toBe(e.figures.faultRps);
      expect(e.figures.overload).toBeGreaterThanOrEqual(minOverload - 0.01);
      expect(e.figures).toMatchObject({
        source: 'configured',
        capacityRps: capacity,
        baselineRps: 80,
        baselineShare: 80 / capacity,
        faultReferenceRps: 1000,
      });
    }
  });

  it('offers at least 1.5× capacity even when the YAML fault is milder on the reference machine', () => {
    const mild = {
      ...spike,
      faultPlan: plan([{ pattern: 'constant', durationS: 60, rps: Math.round(referenceCapacityRps * 1.1) }]),
    };
    expect(effectiveLoad(mild, configured(400)).figures.faultRps).toBe(600);
  });

  it('changes nothing for a config fault but checks its baseline', () => {
    const e = effectiveLoad(configFault, configured(200));
    expect(e.fault).toBeNull();
    expect(e.baseline).toBe(configFault.baselinePlan);
    expect(e.figures).toMatchObject({
      baselineRps: 80,
      baselineReferenceRps: 80,
      baselineShare: 0.4,
      faultRps: null,
      overload: null,
    });
  });

  it('lowers a baseline above half the capacity to that half, by at most 25 %, and says so', () => {
    const e = effectiveLoad(configFault, configured(140));
    expect(peakRps(e.baseline.phases)).toBe(70);
    expect(e.figures).toMatchObject({ baselineRps: 70, baselineReferenceRps: 80, baselineShare: 0.5 });
    expect(effectiveLoad(configFault, configured(120)).figures.baselineRps).toBe(60);
  });

  it('refuses a baseline that would have to drop more than 25 %, naming the figures and what to do', () => {
    const refuse = () => effectiveLoad(configFault, configured(110));
    expect(refuse).toThrow(CapacityRefusal);
    expect(refuse).toThrow(
      /served 110 req\/s .*baseline of 80 req\/s may use at most 50 % .*it needs 120 req\/s.*npm run calibrate/,
    );
    expect(() => effectiveLoad(configFault, configured(0))).toThrow(CapacityRefusal);
  });

  it('refuses a fault the load generator cannot send on a very fast machine', () => {
    expect(() => effectiveLoad(spike, configured(4000))).toThrow(
      /cannot overload this machine.*more than the load generator sends \(5000 req\/s\)/,
    );
  });
});

describe('scalePlan and peakRps', () => {
  it('scale every rate of every pattern and nothing else', () => {
    const p = plan([
      { pattern: 'ramp', durationS: 10, fromRps: 10, toRps: 100 },
      { pattern: 'step', durationS: 10, fromRps: 100, toRps: 20, steps: 3 },
      { pattern: 'spike', durationS: 10, baseRps: 50, peakRps: 400, atS: 2, forS: 3 },
      { pattern: 'wave', durationS: 10, baseRps: 100, amplitudeRps: 50, periodS: 5 },
    ]);
    expect(peakRps(p.phases)).toBe(400);
    const s = scalePlan(p, 0.5);
    expect(s.phases).toEqual([
      { pattern: 'ramp', durationS: 10, fromRps: 5, toRps: 50 },
      { pattern: 'step', durationS: 10, fromRps: 50, toRps: 10, steps: 3 },
      { pattern: 'spike', durationS: 10, baseRps: 25, peakRps: 200, atS: 2, forS: 3 },
      { pattern: 'wave', durationS: 10, baseRps: 50, amplitudeRps: 25, periodS: 5 },
    ]);
    expect({ ...s, phases: [] }).toEqual({ ...p, phases: [] });
    expect(() => loadPlanSchema.parse(s)).not.toThrow();
  });
});
