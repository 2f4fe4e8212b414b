import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunRefusal } from './run-refusal.ts';
import { pickSurprise } from './surprise.ts';
import { T0, engineHarness, testScenario } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RunEngine.start', () => {
  it('stores the run as pending, then baseline once the system is restored and the users started', async () => {
    const h = engineHarness();
    const view = await h.engine.start({ scenarioId: 'pool-lowered' });

    expect(view).toMatchObject({
      scenarioId: 'pool-lowered',
      state: 'baseline',
      startedAt: T0,
      injectedAt: null,
      endedAt: null,
    });
    expect(h.store.states(view.id)).toEqual(['pending', 'baseline']);
    expect(h.store.eventTypes(view.id)).toEqual(['started']);
    expect(h.control.resets).toEqual(['gateway by orchestrator', 'api by orchestrator', 'inventory by orchestrator']);
    expect(h.load.calls).toEqual(['start']);
    expect(h.load.plans).toEqual([h.scenario.baselinePlan]);
    expect(h.engine.activeView()?.id).toBe(view.id);
    expect(h.pushedStates()).toEqual(['baseline']);
  });

  it('stops load left running before starting the baseline plan', async () => {
    const h = engineHarness();
    h.load.running = true;
    await h.engine.start({ scenarioId: 'pool-lowered' });
    expect(h.load.calls).toEqual(['stop', 'start']);
  });

  it('waits for a stop already in progress (the boot warm-up ending) instead of failing to start the users', async () => {
    const h = engineHarness();
    let settle!: () => void;
    h.load.stopping = new Promise<void>(
      (resolve) =>
        (settle = () => {
          h.load.stopping = null;
          resolve();
        }),
    );
    const started = h.engine.start({ scenarioId: 'pool-lowered' });
    await vi.advanceTimersByTimeAsync(0);
    expect(h.load.calls).toEqual([]);
    settle();
    await expect(started).resolves.toMatchObject({ state: 'baseline' });
    expect(h.load.calls).toEqual(['start']);
  });

  it('refuses a second run while one is active, with 409 run_active', async () => {
    const h = engineHarness();
    const first = await h.engine.start({ scenarioId: 'pool-lowered' });
    const second = h.engine.start({ scenarioId: 'pool-lowered' });
    await expect(second).rejects.toBeInstanceOf(RunRefusal);
    await expect(second).rejects.toMatchObject({ code: 'run_active' });
    expect([...h.store.runs.keys()]).toEqual([first.id]);
    expect(h.engine.activeView()?.state).toBe('baseline');
  });

  it('refuses an unknown scenario with 404 and stores nothing', async () => {
    const h = engineHarness();
    await expect(h.engine.start({ scenarioId: 'no-such' })).rejects.toMatchObject({
      code: 'unknown_scenario',
    });
    expect(h.store.runs.size).toBe(0);
    expect(h.engine.activeView()).toBeNull();
  });

  it('aborts the run (start_failed) when a service refuses the reset, and frees the engine for the next run', async () => {
    const h = engineHarness();
    h.control.failReset = 'api';
    await expect(h.engine.start({ scenarioId: 'pool-lowered' })).rejects.toMatchObject({
      code: 'start_failed',
    });

    const [run] = [...h.store.runs.values()];
    expect(run).toMatchObject({
      state: 'aborted',
      reason: 'could not prepare the system: api refused reset: 503',
      endedAt: T0,
    });
    expect(h.store.states(run.id)).toEqual(['pending', 'aborted']);
    expect(h.load.calls).toEqual([]);
    expect(h.resolutions()).toMatchObject([{ runId: run.id, outcome: 'aborted' }]);
    expect(h.engine.activeView()).toBeNull();

    h.control.failReset = null;
    await expect(h.engine.start({ scenarioId: 'pool-lowered' })).resolves.toMatchObject({ state: 'baseline' });
  });

  it('picks a surprise scenario from the seed and hides it until the run ends', async () => {
    const scenarios = [testScenario(), testScenario({ id: 'other-incident', title: 'Another incident' })];
    const h = engineHarness({ scenarios });
    const seed = 12345;
    const expected = pickSurprise(
      scenarios.map((s) => s.id),
      seed,
    );

    const view = await h.engine.start({ surprise: true, seed });
    expect(view).toMatchObject({ surprise: true, seed, scenarioId: null, title: `Surprise incident (seed ${seed})` });
    expect(h.store.runs.get(view.id)?.scenarioId).toBe(expected);

    const ended = await h.engine.stop(view.id);
    expect(ended).toMatchObject({ state: 'abandoned', scenarioId: expected });
  });

  it('keeps the on-call choice on the run (view, record, started event); off unless asked', async () => {
    const h = engineHarness();
    const plain = await h.engine.start({ scenarioId: 'pool-lowered' });
    expect(plain.onCall).toBe(false);
    await h.engine.stop(plain.id);
    const view = await h.engine.start({ scenarioId: 'pool-lowered', onCall: true });
    expect(view.onCall).toBe(true);
    expect(h.store.runs.get(view.id)?.onCall).toBe(true);
    expect(h.store.stored.find((e) => e.runId === view.id && e.type === 'started')).toMatchObject({
      message: 'run of "The pool that was lowered" started, on call: the page announces the incident',
      data: { onCall: true },
    });
  });
});
