import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpError } from '@observastack/sut-common/errors.ts';
import type { ShopActions } from '../actions/shop-actions.ts';
import type { JobName } from '../protocol/actions.ts';
import { T0, engineHarness, seconds, secondsToInjection, testScenario } from './run-engine-fakes.ts';
import { RunRefusal } from './run-refusal.ts';
import type { RunEngine } from './run-engine.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

/** Shop actions that only remember what they were asked, in order. */
function fakeActions(unavailable: string | null = null) {
  const calls: string[] = [];
  let release = '2026.11.3';
  const actions: ShopActions = {
    unavailable: () => unavailable,
    releases: () => ({ service: 'api', current: release, releases: [] }),
    rollout: async (service, version, who, note) => {
      calls.push(`rollout ${service} ${version} by ${who}${note ? ` (${note})` : ''}`);
      const from = release;
      release = version;
      return { service, from, to: version, tookMs: 1 };
    },
    restart: async (service, who) => {
      calls.push(`restart ${service} by ${who}`);
      return { service, pid: 1, tookMs: 1 };
    },
    jobs: () => [],
    startJob: async (name: JobName) => void calls.push(`start ${name}`),
    stopJob: async () => {
      throw new HttpError('not running', { code: 'not_running', status: 409 });
    },
    stopJobs: async () => void calls.push('stop jobs'),
    restoreReleases: async (who) => {
      calls.push(`restore releases by ${who}`);
      return [];
    },
  };
  return { actions, calls };
}

const leak = testScenario({
  id: 'leak',
  fault: { release: { service: 'api', version: '2026.12.1', note: 'price badges' } },
  hints: [{ id: 'restart-buys-time', text: 'A restart only buys time.', when: { unrelatedChange: true } }],
  fix: { documented: [{ action: 'release', service: 'api', version: '2026.11.3' }], explanation: 'Roll back.' },
});
const lock = testScenario({
  id: 'lock',
  fault: { job: 'analytics-rollup' },
  fix: { documented: [{ action: 'terminate-backend', which: 'blockers' }], explanation: 'Kill the blocker.' },
});

describe('RunEngine with releases, jobs and fix actions', () => {
  it('restores jobs and releases before the baseline, then rolls the release out as the fault', async () => {
    const { actions, calls } = fakeActions();
    const h = engineHarness({ scenarios: [leak], actions });
    const { id } = await h.engine.start({ scenarioId: 'leak' });
    expect(calls).toEqual(['stop jobs', 'restore releases by orchestrator']);
    h.engine.startTicking();
    await seconds(secondsToInjection);
    expect(h.store.runs.get(id)?.state).toBe('injected');
    expect(calls.at(-1)).toBe('rollout api 2026.12.1 by scenario (price badges)');
  });

  it('starts the job as the fault, and stops it on reset', async () => {
    const { actions, calls } = fakeActions();
    const h = engineHarness({ scenarios: [lock], actions });
    await h.engine.start({ scenarioId: 'lock' });
    h.engine.startTicking();
    await seconds(secondsToInjection);
    expect(calls.at(-1)).toBe('start analytics-rollup');
    await h.engine.reset();
    expect(calls.slice(-2)).toEqual(['stop jobs', 'restore releases by reset']);
  });

  it('refuses a scenario whose fault needs actions this mode cannot take', async () => {
    const { actions } = fakeActions('stack mode: no container engine');
    const h = engineHarness({ scenarios: [leak], actions });
    const refused = await h.engine.start({ scenarioId: 'leak' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RunRefusal);
    expect(refused).toMatchObject({ code: 'not_available' });
    expect((refused as Error).message).toContain('stack mode: no container engine');
    expect(h.store.runs.size).toBe(0);
  });

  it('counts an action after the fault like a change: the hold starts from it, and one the fix does not take is "unrelated"', async () => {
    const { actions } = fakeActions();
    const h = engineHarness({ scenarios: [leak], actions });
    const { id } = await h.engine.start({ scenarioId: 'leak' });
    h.engine.startTicking();
    await seconds(secondsToInjection + 2);
    await h.engine.recordAction({ action: 'restart', target: 'api', summary: 'api restarted', who: 'learner' }, 'api');
    expect(h.engine.activeView()?.learnerChanges).toBe(1);
    const taken = h.store.stored.filter((e) => e.runId === id && e.type === 'action_taken');
    expect(taken.map((e) => [e.message, e.data])).toEqual([
      ['learner: api restarted', { action: 'restart', target: 'api', who: 'learner', counted: true }],
    ]);
    // The restarted api got the run's config back (the fault's config is empty here: the release is the fault).
    expect(h.control.applied.filter((a) => a.who === 'orchestrator')).toEqual([]);
    await seconds(1);
    expect(h.engine.activeHints().map((x) => x.id)).toEqual(['restart-buys-time']);

    h.load.setHealthy(true);
    await h.engine.recordAction({
      action: 'release',
      target: 'api',
      summary: 'api release 2026.12.1 -> 2026.11.3',
      who: 'learner',
    });
    await seconds(4);
    expect(h.store.runs.get(id)?.state).toBe('injected');
    await seconds(1);
    expect(h.store.runs.get(id)?.state).toBe('resolved');
  });
});

describe('RunEngine resuming a run whose fault is a release or a job', () => {
  async function injectedThenRestarted(scenario: typeof leak, act?: Parameters<RunEngine['recordAction']>[0]) {
    const first = fakeActions();
    const before = engineHarness({ scenarios: [scenario], actions: first.actions });
    const { id } = await before.engine.start({ scenarioId: scenario.id });
    before.engine.startTicking();
    await seconds(secondsToInjection + 1);
    if (act) await before.engine.recordAction(act);
    await before.engine.shutdown();
    // The new orchestrator's shop starts on its default release, no job running.
    const fresh = fakeActions();
    const after = engineHarness({ store: before.store, scenarios: [scenario], actions: fresh.actions });
    await after.engine.resume();
    expect(after.engine.activeView()).toMatchObject({ id, state: 'injected' });
    return fresh.calls;
  }

  it("rolls the fault's release out again, and starts the job again", async () => {
    expect(await injectedThenRestarted(leak)).toEqual(['rollout api 2026.12.1 by orchestrator']);
    expect(await injectedThenRestarted(lock)).toEqual(['start analytics-rollup']);
  });

  it("leaves them ended when the learner's action ended them", async () => {
    const rollback = { action: 'release', target: 'api', summary: 'api rolled back', who: 'learner' } as const;
    expect(await injectedThenRestarted(leak, rollback)).toEqual([]);
    const kill = { action: 'terminate-backend', target: '42', summary: 'terminated 42', who: 'learner' } as const;
    expect(await injectedThenRestarted(lock, kill)).toEqual([]);
  });
});
