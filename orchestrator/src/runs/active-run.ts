import { randomUUID } from 'node:crypto';
import type { EffectiveLoad } from '../calibration/effective-load.ts';
import type { HintView } from '../protocol/run.ts';
import { ofType, type RunEvent } from '../protocol/run-events.ts';
import type { ConfigState } from '../scenarios/scenario-schema.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { RunRecord } from '../store/run-store.ts';
import { HintWatcher } from './hint-watcher.ts';
import type { SloVerdict } from './slo-judge.ts';

/** The engine's memory of the active run; everything in it can be rebuilt from the stored record and timeline. */
export interface ActiveRun {
  rec: RunRecord;
  scenario: Scenario;
  /** The plans in force on this machine, and the figures the run records (null until a resumed run has them). */
  load: EffectiveLoad | null;
  events: RunEvent[];
  hints: HintView[];
  watcher: HintWatcher;
  learnerChanges: number;
  lastChangeAt: number | null;
  unrelatedChangeSeen: boolean;
  baselineSince: number;
  sloMet: boolean | null;
  verdict: SloVerdict | null;
}

/** The stored record of a run just started (pending until its baseline runs). */
export function newRunRecord(
  scenarioId: string,
  o: { surprise: boolean; seed: number | null; onCall: boolean },
  now: number,
): RunRecord {
  return {
    id: randomUUID(),
    scenarioId,
    ...o,
    state: 'pending',
    reason: null,
    startedAt: now,
    injectedAt: null,
    breachedAt: null,
    endedAt: null,
    stageTimes: { detect: null, localize: null, diagnose: null, fix: null },
  };
}

/** A run just started. */
export function newActiveRun(rec: RunRecord, scenario: Scenario, load: EffectiveLoad, now: number): ActiveRun {
  return {
    rec,
    scenario,
    load,
    events: [],
    hints: [],
    watcher: new HintWatcher(scenario.hints),
    learnerChanges: 0,
    lastChangeAt: null,
    unrelatedChangeSeen: false,
    baselineSince: now,
    sloMet: null,
    verdict: null,
  };
}

/**
 * A run a previous orchestrator left active, rebuilt from its stored timeline: the hints shown (not shown again),
 * the learner's counted changes and the last of them (the resolution clock). Its load is found again by the engine
 * (the calibration may have changed), its verdict on the next tick.
 */
export function resumedActiveRun(
  rec: RunRecord,
  scenario: Scenario | undefined,
  events: RunEvent[],
  now: number,
): ActiveRun {
  const shown = events.filter(ofType('hint_shown'));
  const counted = events.filter((e) => (e.type === 'config_changed' || e.type === 'action_taken') && e.data.counted);
  return {
    rec,
    // A scenario gone since (a pack removed): the engine only closes the run, and its view tolerates the gap.
    scenario: scenario as Scenario,
    load: null,
    events,
    hints: shown.map((e) => ({
      id: e.data.hintId,
      runId: rec.id,
      at: e.at,
      text: e.data.text,
      trigger: e.data.trigger,
    })),
    watcher: new HintWatcher(
      scenario?.hints ?? [],
      shown.map((e) => e.data.hintId),
    ),
    learnerChanges: counted.length,
    lastChangeAt: counted.at(-1)?.at ?? null,
    unrelatedChangeSeen: false,
    baselineSince: now,
    sloMet: null,
    verdict: null,
  };
}

/**
 * A learner's change or action after the fault: a fix attempt. The judge's hold starts again from it, and one
 * the documented fix does not touch (`related` false) arms the `unrelatedChange` hints.
 */
export function countFixAttempt(run: ActiveRun, related: boolean, now: number): void {
  run.learnerChanges++;
  run.lastChangeAt = now;
  if (!related) run.unrelatedChangeSeen = true;
}

/**
 * What a restarted SUT (or orchestrator) must get back to continue the incident: the fault, then every config
 * change recorded on the run, in order; `only` keeps one service's part.
 */
export function configToReapply(run: ActiveRun, only?: string): ConfigState[] {
  const states: ConfigState[] = [
    run.scenario.faultConfig,
    ...run.events.filter(ofType('config_changed')).map((e) => ({ [e.data.service]: e.data.patch })),
  ];
  return states
    .map((state) => Object.fromEntries(Object.entries(state).filter(([s]) => !only || s === only)))
    .filter((state) => Object.keys(state).length > 0);
}
