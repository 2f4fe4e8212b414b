import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadPlanSchema, type LoadPlan, type LoadPlanInput } from '../load/plan-schema.ts';
import { warmUp, warmUpSeconds } from './warm-up.ts';

/** The part of the load generator the warm-up uses: each start() or setPlan() puts a new plan in force. */
class Load {
  plan: LoadPlan | null = null;
  readonly calls: string[] = [];
  start(plan: LoadPlanInput) {
    this.plan = loadPlanSchema.parse(plan);
    this.calls.push('start');
  }
  async stop() {
    this.plan = null;
    this.calls.push('stop');
  }
}

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe('boot warm-up', () => {
  it('stops its own load after its seconds', () => {
    const load = new Load();
    warmUp(load);
    vi.advanceTimersByTime(warmUpSeconds * 1000 - 1);
    expect(load.calls).toEqual(['start']);
    vi.advanceTimersByTime(1);
    expect(load.calls).toEqual(['start', 'stop']);
  });

  it('leaves alone a load somebody else started meanwhile (a run, the verifier, a test)', () => {
    const load = new Load();
    warmUp(load);
    void load.stop();
    load.start({ phases: [{ pattern: 'constant', durationS: 90, rps: 60 }] });
    vi.advanceTimersByTime(warmUpSeconds * 1000 * 2);
    expect(load.calls).toEqual(['start', 'stop', 'start']);
    expect(load.plan).not.toBeNull();
  });
});
