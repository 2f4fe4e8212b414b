import type { RunView } from '../protocol/run.ts';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import type { RunRecord } from '../store/run-store.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { EffectiveLoad } from '../calibration/effective-load.ts';

const ended = (s: RunRecord['state']) => s === 'resolved' || s === 'abandoned' || s === 'expired' || s === 'aborted';

/** What the site sees of a run. Surprise runs hide the scenario until they end. */
export function toRunView(
  rec: RunRecord,
  scenario: Scenario | undefined,
  live?: { sloMet: boolean | null; learnerChanges: number; load?: EffectiveLoad | null },
): RunView {
  const hidden = rec.surprise && !ended(rec.state);
  const slo = scenario?.spec.slo ?? {
    successPct: 99,
    latencyPercentile: 95 as const,
    latencyThresholdMs: 250,
    windowSeconds: 30,
    holdSeconds: 20,
    rateLimitedCountsAsSuccess: false,
  };
  return {
    id: rec.id,
    scenarioId: hidden ? null : rec.scenarioId,
    title: hidden ? `Surprise incident (seed ${rec.seed})` : (scenario?.spec.title ?? rec.scenarioId),
    surprise: rec.surprise,
    onCall: rec.onCall,
    seed: rec.seed,
    state: rec.state,
    reason: rec.reason,
    startedAt: rec.startedAt,
    injectedAt: rec.injectedAt,
    breachedAt: rec.breachedAt,
    endedAt: rec.endedAt,
    slo,
    sloMet: live?.sloMet ?? null,
    stageTimes: rec.stageTimes,
    learnerChanges: live?.learnerChanges ?? 0,
    // A surprise run shows the machine's capacity and the baseline, not the fault's load (it would name the incident).
    load: live?.load
      ? hidden
        ? { ...live.load.figures, faultRps: null, faultReferenceRps: null, overload: null }
        : live.load.figures
      : null,
  };
}

type Ended = Extract<ServerMessage, { type: 'resolution' }>['outcome'];

/** The message that ends a run on the site: its outcome, and the fix explained when it was resolved. */
export function toResolution(
  rec: RunRecord,
  scenario: Scenario | undefined,
  outcome: Ended,
  reason: string,
): Extract<ServerMessage, { type: 'resolution' }> {
  return {
    type: 'resolution',
    runId: rec.id,
    outcome,
    scenarioId: rec.scenarioId,
    title: scenario?.spec.title ?? rec.scenarioId,
    explanation: outcome === 'resolved' && scenario ? scenario.spec.fix.explanation : reason,
    stageTimes: rec.stageTimes,
  };
}
