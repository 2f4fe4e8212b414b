import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, engineHarness, seconds, secondsToInjection, injectedRun } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const injectedAt = T0 + secondsToInjection * 1000;
const poolFix = [{ key: 'upstreamPoolSize', from: 2, to: 64 }];

describe('RunEngine while injected', () => {
  it("stamps the first breach, judged on the fault's own traffic, and reports each later breach and recovery", async () => {
    const h = await injectedRun();
    await seconds(1);
    expect(h.store.runs.get(h.id)?.breachedAt).toBe(injectedAt + 1000);
    expect(h.engine.activeView()?.sloMet).toBe(false);

    h.load.setHealthy(true);
    await seconds(10); // the whole 10 s SLO window healthy again
    h.load.setHealthy(false);
    await seconds(1);

    expect(h.store.eventTypes(h.id).filter((t) => t.startsWith('slo_'))).toEqual([
      'slo_breached',
      'slo_recovered',
      'slo_breached',
    ]);
    expect(h.store.runs.get(h.id)?.breachedAt).toBe(injectedAt + 1000);
    expect(h.state()).toBe('injected');
  });

  it("resolves only once the SLO held for the hold window on traffic after the learner's change", async () => {
    const h = await injectedRun();
    await seconds(2);
    h.load.setHealthy(true);
    await h.engine.recordChange('gateway', { upstreamPoolSize: 64 }, poolFix, 'learner');
    expect(h.engine.activeView()?.learnerChanges).toBe(1);

    await seconds(4); // the hold window still reaches back before the change
    expect(h.state()).toBe('injected');

    await seconds(1);
    expect(h.store.runs.get(h.id)).toMatchObject({
      state: 'resolved',
      reason: 'SLO held for 5 s after the change: 100.00 % ok, p95 40 ms',
      endedAt: injectedAt + 7000,
      stageTimes: { fix: 7 },
    });
    expect(h.resolutions()).toMatchObject([
      { runId: h.id, outcome: 'resolved', explanation: 'The pool was too small.', stageTimes: { fix: 7 } },
    ]);
    expect(h.engine.activeView()).toBeNull();
    expect(h.load.running).toBe(false);
  });

  it('does not count the second a change was made in, when it started before the change', async () => {
    const h = await injectedRun();
    await seconds(2.5);
    h.load.setHealthy(true);
    await h.engine.recordChange('gateway', { upstreamPoolSize: 64 }, poolFix, 'learner');

    await seconds(5); // tick at +7 s: the held window would include the half second before the change
    expect(h.state()).toBe('injected');
    await seconds(1);
    expect(h.state()).toBe('resolved');
  });

  it('resolves as soon as the second completing the hold is reported, not at the next timer tick', async () => {
    const h = engineHarness();
    h.load.reportDelayMs = 30; // each second reported 30 ms after it ends, as its requests settle
    const { id } = await h.engine.start({ scenarioId: h.scenario.id });
    await seconds(0.5);
    h.engine.startTicking(); // the timer ticks half a second out of step with the reports
    await seconds(secondsToInjection + 2);
    expect(h.store.runs.get(id)?.state).toBe('injected');

    h.load.setHealthy(true);
    const changeAt = Date.now();
    await h.engine.recordChange('gateway', { upstreamPoolSize: 64 }, poolFix, 'learner');
    await seconds(7);
    // The first whole second after the change and the four after it; the last reported 30 ms after it ends.
    const heldUntil = (Math.floor(changeAt / 1000) + 1 + 5) * 1000;
    expect(h.store.runs.get(id)).toMatchObject({ state: 'resolved', endedAt: heldUntil + 30 });
  });

  it('never resolves without a learner change, even when the SLO recovers; the run expires', async () => {
    const h = await injectedRun();
    await seconds(2);
    h.load.setHealthy(true); // the incident goes away by itself

    await seconds(10); // the SLO window is all healthy again
    expect(h.store.eventTypes(h.id)).toContain('slo_recovered');
    expect(h.engine.activeView()).toMatchObject({ state: 'injected', sloMet: true, learnerChanges: 0 });

    await seconds(60 - 12); // 60 s after the fault: not beyond the expiry yet
    expect(h.state()).toBe('injected');
    await seconds(1);
    expect(h.store.runs.get(h.id)).toMatchObject({
      state: 'expired',
      reason: 'not resolved within 60 s',
      endedAt: injectedAt + 61_000,
    });
    expect(h.resolutions()).toMatchObject([{ outcome: 'expired', explanation: 'not resolved within 60 s' }]);
  });

  it('does not count a change made during the baseline', async () => {
    const h = engineHarness();
    const { id } = await h.engine.start({ scenarioId: h.scenario.id });
    h.engine.startTicking();
    await h.engine.recordChange('gateway', { upstreamPoolSize: 64 }, poolFix, 'learner');
    await seconds(secondsToInjection + 1);
    h.load.setHealthy(true);
    await seconds(20);

    expect(h.store.runs.get(id)?.state).toBe('injected');
    expect(h.engine.activeView()?.learnerChanges).toBe(0);
    expect(h.store.stored.find((e) => e.type === 'config_changed')?.data).toMatchObject({
      service: 'gateway',
      counted: false,
      who: 'learner',
    });
  });

  it('keeps the run open while a change does not fix it, and holds from the latest change', async () => {
    const h = await injectedRun();
    await seconds(2);
    await h.engine.recordChange('api', { workerPoolSize: 16 }, [{ key: 'workerPoolSize', from: 8, to: 16 }], 'learner');
    await seconds(2);
    h.load.setHealthy(true);
    await h.engine.recordChange('gateway', { upstreamPoolSize: 64 }, poolFix, 'learner');

    await seconds(4);
    expect(h.state()).toBe('injected');
    await seconds(1);
    expect(h.store.runs.get(h.id)).toMatchObject({ state: 'resolved', stageTimes: { fix: 9 } });
    const counted = h.store.stored.filter((e) => e.type === 'config_changed').map((e) => e.data.counted);
    expect(counted).toEqual([true, true]);
  });

  it('resolves only when a whole hold window after the change is healthy, not while the SLO dips', async () => {
    const h = await injectedRun();
    await seconds(2);
    h.load.setHealthy(true);
    await h.engine.recordChange('gateway', { upstreamPoolSize: 64 }, poolFix, 'learner');
    await seconds(2);
    h.load.setHealthy(false); // seconds 4 and 5 after the fault fail
    await seconds(2);
    h.load.setHealthy(true);

    await seconds(4); // the window of the tick at 10 s still holds the failed 5th second
    expect(h.state()).toBe('injected');
    await seconds(1); // seconds 6..10 held
    expect(h.store.runs.get(h.id)).toMatchObject({ state: 'resolved', stageTimes: { fix: 11 } });
  });
});
