import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, engineHarness, seconds, secondsToInjection } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

async function tickingRun() {
  const h = engineHarness();
  const { id } = await h.engine.start({ scenarioId: h.scenario.id });
  h.engine.startTicking();
  return { ...h, id };
}

describe('RunEngine stop and reset', () => {
  it('abandons a run stopped during the baseline, and never injects its fault', async () => {
    const h = await tickingRun();
    await seconds(2);
    const view = await h.engine.stop(h.id);

    expect(view).toMatchObject({
      id: h.id,
      state: 'abandoned',
      reason: 'stopped by the learner',
      endedAt: T0 + 2000,
      injectedAt: null,
    });
    expect(h.store.states(h.id)).toEqual(['pending', 'baseline', 'abandoned']);
    expect(h.resolutions()).toMatchObject([
      { runId: h.id, outcome: 'abandoned', explanation: 'stopped by the learner' },
    ]);
    expect(h.load.running).toBe(false);
    expect(h.engine.activeView()).toBeNull();

    await seconds(secondsToInjection * 2);
    expect(h.control.applied).toEqual([]);
    expect(h.store.eventTypes(h.id)).toEqual(['started', 'abandoned']);
  });

  it('abandons a run stopped while injected; later ticks leave it alone', async () => {
    const h = await tickingRun();
    await seconds(secondsToInjection + 2);
    await h.engine.stop(h.id);

    expect(h.store.runs.get(h.id)).toMatchObject({
      state: 'abandoned',
      reason: 'stopped by the learner',
      endedAt: T0 + (secondsToInjection + 2) * 1000,
    });
    expect(h.store.states(h.id)).toEqual(['pending', 'baseline', 'injected', 'abandoned']);
    const timeline = h.store.eventTypes(h.id);
    expect(timeline.at(-1)).toBe('abandoned');

    await seconds(120); // past the expiry: an ended run does not expire
    expect(h.store.eventTypes(h.id)).toEqual(timeline);
    expect(h.store.runs.get(h.id)?.state).toBe('abandoned');
  });

  it('refuses to stop a run that already ended (409) or never existed (404)', async () => {
    const h = await tickingRun();
    await h.engine.stop(h.id);

    await expect(h.engine.stop(h.id)).rejects.toMatchObject({
      code: 'run_not_active',
      message: `run ${h.id} is not active (abandoned)`,
    });
    await expect(h.engine.stop('no-such-run')).rejects.toMatchObject({ code: 'not_found' });
    expect(h.store.states(h.id)).toEqual(['pending', 'baseline', 'abandoned']);
  });

  it('refuses to stop a run by another id while one is active', async () => {
    const h = await tickingRun();
    await expect(h.engine.stop('no-such-run')).rejects.toMatchObject({ code: 'not_found' });
    expect(h.engine.activeView()?.state).toBe('baseline');
  });

  it('lets a new run start after a stop', async () => {
    const h = await tickingRun();
    await h.engine.stop(h.id);
    const next = await h.engine.start({ scenarioId: h.scenario.id });
    expect(next.id).not.toBe(h.id);
    expect(next.state).toBe('baseline');
  });

  it('reset abandons the active run, stops the users and restores every service as "reset"', async () => {
    const h = await tickingRun();
    await seconds(secondsToInjection + 1);
    h.control.resets.length = 0;
    await h.engine.reset();

    expect(h.store.runs.get(h.id)).toMatchObject({ state: 'abandoned', reason: 'reset by the learner' });
    expect(h.load.running).toBe(false);
    expect(h.control.resets).toEqual(['gateway by reset', 'api by reset', 'inventory by reset']);
    expect(h.engine.activeView()).toBeNull();
  });

  it('reset with a service down abandons the run, stops the users, and refuses with 503 naming the service', async () => {
    const h = await tickingRun();
    h.control.downReset = 'api';
    const refused = await h.engine.reset().catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'shop_unavailable',
      message: expect.stringContaining('api did not answer (ECONNREFUSED)'),
    });
    expect(h.store.runs.get(h.id)).toMatchObject({ state: 'abandoned', reason: 'reset by the learner' });
    expect(h.load.running).toBe(false);
    h.control.downReset = null;
    h.control.failReset = 'inventory';
    expect(await h.engine.reset().catch((e: unknown) => e)).toMatchObject({
      code: 'shop_unavailable',
      message: expect.stringContaining('inventory refused reset: 503'),
    });
    h.control.failReset = null;
    await h.engine.reset();
  });

  it('reset without a run still restores the services and stores nothing', async () => {
    const h = engineHarness();
    await h.engine.reset();
    expect(h.control.resets).toEqual(['gateway by reset', 'api by reset', 'inventory by reset']);
    expect(h.store.runs.size).toBe(0);
  });

  it('shutdown stops the ticks and the users but leaves the run active for the next boot to resume', async () => {
    const h = await tickingRun();
    await h.engine.shutdown();
    await seconds(secondsToInjection * 2);

    expect(h.load.running).toBe(false);
    expect(h.store.runs.get(h.id)?.state).toBe('baseline');
    expect(h.control.applied).toEqual([]);
  });
});
