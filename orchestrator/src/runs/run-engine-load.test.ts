import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configured } from '../calibration/calibrator.ts';
import { effectiveLoad, referenceCapacityRps } from '../calibration/effective-load.ts';
import { T0, engineHarness, seconds, secondsToInjection, testScenario } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

// The scenario's load on this machine (issue 15): the engine runs the plans the calibration gives, records them,
// and refuses a scenario the machine cannot run honestly.
describe('RunEngine and the calibrated load', () => {
  const spike = testScenario({
    id: 'spike',
    fault: { load: { phases: [{ pattern: 'constant', durationS: 600, rps: 1000 }] } },
  });

  it('starts the baseline and injects the load fault scaled to this machine, and records both', async () => {
    const h = engineHarness({ scenarios: [spike], loadFor: (s) => effectiveLoad(s, configured(400)) });
    const view = await h.engine.start({ scenarioId: 'spike' });
    h.engine.startTicking();
    await seconds(secondsToInjection);
    const faultRps = Math.round(Math.max(1.5, 1000 / referenceCapacityRps) * 400);
    expect(h.load.plans.map((p) => (p.phases[0] as { rps: number }).rps)).toEqual([100, faultRps]);
    const started = (await h.store.events(view.id)).find((e) => e.type === 'started')!;
    expect(started.data.load).toMatchObject({
      source: 'configured',
      capacityRps: 400,
      baselineRps: 100,
      faultRps,
      faultReferenceRps: 1000,
    });
    expect(h.engine.activeView()?.load).toMatchObject({ capacityRps: 400, faultRps });
  });

  it('hides the fault load of a surprise run until it ends (it would name the incident)', async () => {
    const h = engineHarness({ scenarios: [spike], loadFor: (s) => effectiveLoad(s, configured(400)) });
    await h.engine.start({ surprise: true, seed: 1 });
    expect(h.engine.activeView()?.load).toMatchObject({
      capacityRps: 400,
      baselineRps: 100,
      faultRps: null,
      overload: null,
    });
  });

  it('refuses as beyond_capacity, stores nothing and starts no load', async () => {
    const h = engineHarness({ loadFor: (s) => effectiveLoad(s, configured(140)) });
    await expect(h.engine.start({ scenarioId: 'pool-lowered' })).rejects.toMatchObject({
      code: 'beyond_capacity',
      message: expect.stringMatching(/baseline of 100 req\/s/),
    });
    expect(h.store.runs.size).toBe(0);
    expect(h.load.calls).toEqual([]);
    expect(h.engine.activeView()).toBeNull();
  });
});
