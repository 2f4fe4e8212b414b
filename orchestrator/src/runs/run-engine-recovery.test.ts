import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, engineHarness, seconds, secondsToInjection, testScenario, injectedRun } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const fault = { gateway: { upstreamPoolSize: 2 } };

describe('RunEngine and a restarted service', () => {
  it("puts the fault and the learner's changes back on the restarted service only", async () => {
    const h = await injectedRun();
    await h.engine.recordChange(
      'gateway',
      { upstreamPoolSize: 8 },
      [{ key: 'upstreamPoolSize', from: 2, to: 8 }],
      'learner',
    );
    await h.engine.recordChange('api', { workerPoolSize: 16 }, [{ key: 'workerPoolSize', from: 8, to: 16 }], 'learner');
    h.control.applied.length = 0;

    await h.engine.serviceEvent('service_restarted', 'gateway', 'gateway is back (restart 1)');
    expect(h.control.applied).toEqual([
      { state: fault, who: 'orchestrator' },
      { state: { gateway: { upstreamPoolSize: 8 } }, who: 'orchestrator' },
    ]);
    expect(h.store.stored.at(-1)).toMatchObject({
      type: 'service_restarted',
      message: 'gateway is back (restart 1)',
      data: { service: 'gateway' },
    });
  });

  it('records a crash on the timeline without touching the config', async () => {
    const h = await injectedRun();
    h.control.applied.length = 0;
    await h.engine.serviceEvent(
      'service_crashed',
      'api',
      'api stopped unexpectedly (exit code 1); restarting in 500 ms',
    );
    expect(h.control.applied).toEqual([]);
    expect(h.store.eventTypes(h.id).at(-1)).toBe('service_crashed');
  });

  it('re-applies nothing for a restart during the baseline', async () => {
    const h = engineHarness();
    const { id } = await h.engine.start({ scenarioId: h.scenario.id });
    await h.engine.serviceEvent('service_restarted', 'gateway', 'gateway is back (restart 1)');
    expect(h.control.applied).toEqual([]);
    expect(h.store.eventTypes(id)).toEqual(['started', 'service_restarted']);
  });

  it('logs a failed re-apply and keeps the run going', async () => {
    const h = await injectedRun();
    h.control.failApply = new Error('gateway refused');
    await h.engine.serviceEvent('service_restarted', 'gateway', 'gateway is back (restart 1)');
    expect(h.logs).toEqual(['re-applying config failed: gateway refused']);
    expect(h.engine.activeView()?.state).toBe('injected');
  });

  it('ignores service events without an active run', async () => {
    const h = engineHarness();
    await h.engine.serviceEvent('service_crashed', 'api', 'api stopped unexpectedly');
    expect(h.store.stored).toEqual([]);
  });
});

describe('RunEngine.resume after an orchestrator restart', () => {
  it('resumes an injected run: re-applies the incident, counts the earlier change, and can still resolve', async () => {
    const before = await injectedRun();
    await seconds(2);
    await before.engine.recordChange(
      'gateway',
      { upstreamPoolSize: 64 },
      [{ key: 'upstreamPoolSize', from: 2, to: 64 }],
      'learner',
    );
    await before.engine.shutdown();
    await seconds(2);

    const after = engineHarness({ store: before.store });
    await after.engine.resume();
    expect(after.engine.activeView()).toMatchObject({ id: before.id, state: 'injected', learnerChanges: 1 });
    expect(after.control.applied).toEqual([
      { state: fault, who: 'orchestrator' },
      { state: { gateway: { upstreamPoolSize: 64 } }, who: 'orchestrator' },
    ]);
    expect(after.load.plans).toEqual([after.scenario.baselinePlan]);
    expect(after.store.eventTypes(before.id).at(-1)).toBe('orchestrator_restarted');

    after.engine.startTicking();
    await seconds(4); // the new users' first 5 s are not reported yet
    expect(after.engine.activeView()?.state).toBe('injected');
    await seconds(1);
    expect(after.store.runs.get(before.id)?.state).toBe('resolved');
  });

  it('restarts the baseline of a run that was not injected yet', async () => {
    const before = engineHarness();
    const { id } = await before.engine.start({ scenarioId: before.scenario.id });
    await before.engine.shutdown();

    const after = engineHarness({ store: before.store });
    await after.engine.resume();
    expect(after.control.resets).toEqual([
      'gateway by orchestrator',
      'api by orchestrator',
      'inventory by orchestrator',
    ]);
    expect(after.load.calls).toEqual(['start']);
    expect(after.pushedStates()).toEqual(['baseline']);

    after.engine.startTicking();
    await seconds(secondsToInjection);
    expect(after.store.runs.get(id)?.state).toBe('injected');
  });

  it('aborts a run whose scenario no longer exists', async () => {
    const before = engineHarness();
    const { id } = await before.engine.start({ scenarioId: before.scenario.id });
    await before.engine.shutdown();

    const after = engineHarness({ store: before.store, scenarios: [testScenario({ id: 'another-incident' })] });
    await after.engine.resume();
    expect(after.store.runs.get(id)).toMatchObject({
      state: 'aborted',
      reason: 'scenario "pool-lowered" no longer exists after the orchestrator restarted',
    });
    expect(after.engine.activeView()).toBeNull();
    expect(after.load.calls).toEqual([]);
  });

  it('does nothing when no run was active', async () => {
    const h = engineHarness();
    await h.engine.resume();
    expect(h.engine.activeView()).toBeNull();
    expect(h.load.calls).toEqual([]);
    expect(h.control.resets).toEqual([]);
  });
});
