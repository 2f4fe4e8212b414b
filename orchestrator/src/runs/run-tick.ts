import type { HintView, RunState } from '../protocol/run.ts';
import type { RunEventDataOf, RunEventType } from '../protocol/run-events.ts';
import type { ActiveRun } from './active-run.ts';
import type { RunEngineDeps } from './run-engine-deps.ts';
import { judgeActiveRun, verdictFigures } from './judge-active-run.ts';
import { applyShopFault } from './shop-fault.ts';
import { toRunView } from './run-view.ts';

/**
 * What a tick needs of the engine: the active run, its collaborators, and the engine's own steps (a timeline
 * entry, a new state, the run's end). The engine calls it under its lock, so nothing else moves the run meanwhile.
 */
export interface TickContext {
  readonly run: ActiveRun;
  readonly deps: RunEngineDeps;
  event<T extends RunEventType>(type: T, message: string, data: RunEventDataOf<T>): Promise<void>;
  setState(state: RunState): Promise<void>;
  finish(state: 'resolved' | 'expired' | 'aborted', reason: string): Promise<unknown>;
}

/** One tick: the judge decides (run-judge.ts), the engine applies the decision. */
export async function stepActiveRun(t: TickContext): Promise<void> {
  const { run: r, deps } = t;
  const now = Date.now();
  const { spec } = r.scenario;
  const slo = spec.slo;
  const decision = judgeActiveRun(r, deps.load, deps.baselineGraceSeconds ?? 20, now);
  switch (decision.kind) {
    case 'wait':
      return;
    case 'baseline_unhealthy':
      r.verdict = decision.verdict;
      r.sloMet = false;
      return;
    case 'baseline_ok': {
      const { verdict: v } = decision;
      r.verdict = v;
      r.sloMet = true;
      const figures = verdictFigures(v, slo.latencyPercentile);
      await t.event('baseline_ok', `baseline healthy for ${decision.seconds} s: ${figures}`, { ...v });
      await injectFault(t);
      return;
    }
    case 'baseline_failed': {
      const { verdict: v } = decision;
      r.verdict = v;
      r.sloMet = false;
      const reasons = v.reasons.join('; ');
      await t.event('baseline_failed', `the system was not healthy before the fault: ${reasons}`, { ...v });
      await t.finish('aborted', `system not healthy at baseline (${reasons})`);
      return;
    }
  }
  const { verdict, sinceFault, change, end } = decision;
  r.verdict = verdict;
  if (change?.to === 'breached') {
    if (change.first) {
      r.rec.breachedAt = now;
      await deps.store.update(r.rec);
    }
    await t.event('slo_breached', `SLO breached: ${verdict.reasons.join('; ')}`, { ...verdict, sinceFault });
  } else if (change?.to === 'recovered') {
    await t.event('slo_recovered', 'SLO holds again over its window', { ...verdict });
  }
  r.sloMet = verdict.met;
  deps.emit({ type: 'run', run: toRunView(r.rec, r.scenario, r) });
  await showDueHints(t, sinceFault);
  if (end?.state === 'resolved') {
    r.rec.stageTimes.fix = end.fixSeconds;
    const figures = verdictFigures(end.hold, slo.latencyPercentile);
    await t.finish('resolved', `SLO held for ${slo.holdSeconds} s after the change: ${figures}`);
  } else if (end?.state === 'expired') {
    await t.finish('expired', `not resolved within ${spec.expiresAfterSeconds} s`);
  }
}

async function showDueHints(t: TickContext, sinceFault: number): Promise<void> {
  const { run: r, deps } = t;
  for (const { hint, trigger } of await r.watcher.due({
    sinceFault,
    learnerChanges: r.learnerChanges,
    unrelatedChangeSeen: r.unrelatedChangeSeen,
    signal: deps.signal ?? (async () => null),
  })) {
    const view: HintView = { id: hint.id, runId: r.rec.id, at: Date.now(), text: hint.text, trigger };
    r.hints.push(view);
    deps.emit({ type: 'hint', hint: view });
    await t.event('hint_shown', hint.text, { hintId: hint.id, text: hint.text, trigger });
  }
}

async function injectFault(t: TickContext): Promise<void> {
  const { run: r, deps } = t;
  try {
    const applied = await deps.control.applyState(r.scenario.faultConfig, 'scenario');
    await applyShopFault(r.scenario, deps.actions);
    if (r.load?.fault) deps.load.setPlan(r.load.fault);
    r.rec.injectedAt = Date.now();
    r.sloMet = true;
    await t.setState('injected');
    // The timeline and the hint feed never name the fault: that is what the learner is there to find (the
    // change log shows its change as a team would log it). The postmortem names it once the run is over.
    await t.event(
      'fault_applied',
      'the incident has started',
      r.rec.surprise ? {} : { changes: applied.flatMap((a) => a.changes) },
    );
  } catch (err) {
    await t.finish('aborted', `could not apply the fault: ${(err as Error).message}`);
  }
}
