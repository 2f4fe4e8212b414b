import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, engineHarness, seconds, secondsToInjection, testScenario } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

async function startedRun(h: ReturnType<typeof engineHarness>): Promise<string> {
  const { id } = await h.engine.start({ scenarioId: h.scenario.id });
  h.engine.startTicking();
  return id;
}

describe('RunEngine baseline', () => {
  it('judges the baseline only after the warm-up and the baseline window, then injects the fault', async () => {
    const h = engineHarness();
    const id = await startedRun(h);

    await seconds(secondsToInjection - 1);
    expect(h.engine.activeView()?.state).toBe('baseline');
    expect(h.control.applied).toEqual([]);

    await seconds(1);
    expect(h.engine.activeView()).toMatchObject({
      state: 'injected',
      injectedAt: T0 + secondsToInjection * 1000,
      sloMet: true,
    });
    expect(h.store.states(id)).toEqual(['pending', 'baseline', 'injected']);
    expect(h.store.eventTypes(id)).toEqual(['started', 'baseline_ok', 'fault_applied']);
    expect(h.control.applied).toEqual([{ state: { gateway: { upstreamPoolSize: 2 } }, who: 'scenario' }]);
    expect(h.load.calls).toEqual(['start']);
  });

  it('switches the users to the fault plan when the scenario changes the load', async () => {
    const spike = { phases: [{ pattern: 'constant' as const, durationS: 60, rps: 900 }] };
    const h = engineHarness({ scenarios: [testScenario({ fault: { config: {}, load: spike } })] });
    await startedRun(h);
    await seconds(secondsToInjection);

    expect(h.engine.activeView()?.state).toBe('injected');
    expect(h.load.calls).toEqual(['start', 'setPlan']);
    expect(h.load.plans[1]).toEqual(h.scenario.faultPlan);
  });

  it('waits for a late healthy baseline, judged on the last baseline window only', async () => {
    const h = engineHarness();
    h.load.setHealthy(false);
    await startedRun(h);
    await seconds(6);
    h.load.setHealthy(true); // seconds 6..10 make the first healthy 5 s window, judged at the tick of second 11

    await seconds(4);
    expect(h.engine.activeView()?.state).toBe('baseline');
    await seconds(1);
    expect(h.engine.activeView()?.state).toBe('injected');
  });

  it('aborts the run when the baseline does not hold within the grace period', async () => {
    const h = engineHarness({ baselineGraceSeconds: 2 });
    h.load.setHealthy(false);
    const id = await startedRun(h);

    await seconds(secondsToInjection + 2); // 7 s judged: not beyond baseline + grace yet
    expect(h.engine.activeView()?.state).toBe('baseline');

    await seconds(1);
    expect(h.engine.activeView()).toBeNull();
    expect(h.store.runs.get(id)).toMatchObject({
      state: 'aborted',
      reason: 'system not healthy at baseline (success 0.00 % < 99 %)',
      endedAt: T0 + 11_000,
    });
    expect(h.store.eventTypes(id)).toEqual(['started', 'baseline_failed', 'aborted']);
    expect(h.control.applied).toEqual([]);
    expect(h.load.running).toBe(false);
  });

  it('aborts the run when the fault cannot be applied', async () => {
    const h = engineHarness();
    h.control.failApply = new Error('gateway refused {"upstreamPoolSize":2}');
    const id = await startedRun(h);
    await seconds(secondsToInjection);

    expect(h.store.runs.get(id)).toMatchObject({
      state: 'aborted',
      reason: 'could not apply the fault: gateway refused {"upstreamPoolSize":2}',
      injectedAt: null,
    });
    expect(h.store.eventTypes(id)).toEqual(['started', 'baseline_ok', 'aborted']);
    expect(h.resolutions()).toMatchObject([{ runId: id, outcome: 'aborted' }]);
    expect(h.load.running).toBe(false);
  });
});
