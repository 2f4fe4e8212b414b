import type { RunEvent } from '../protocol/run.ts';
import type { RunRecord } from '../store/run-store.ts';
import type { Scenario } from '../scenarios/scenario.ts';

/** The postmortem of a run: outcome, stage times (TTD, TTL, TTDx, TTM) and the timeline, as JSON. */
export function buildPostmortem(rec: RunRecord, scenario: Scenario | undefined, events: RunEvent[]) {
  const ended = rec.endedAt !== null;
  const t0 = rec.injectedAt ?? rec.startedAt;
  return {
    runId: rec.id,
    scenario: ended || !rec.surprise ? { id: rec.scenarioId, title: scenario?.spec.title ?? rec.scenarioId } : null,
    outcome: rec.state,
    reason: rec.reason,
    startedAt: rec.startedAt,
    injectedAt: rec.injectedAt,
    endedAt: rec.endedAt,
    durationSeconds: rec.endedAt && rec.injectedAt ? (rec.endedAt - rec.injectedAt) / 1000 : null,
    stageTimes: { ttd: rec.stageTimes.detect, ttl: rec.stageTimes.localize, ttdx: rec.stageTimes.diagnose, ttm: rec.stageTimes.fix },
    learnerChanges: events.filter((e) => e.type === 'config_changed' && e.data.counted).map((e) => ({ at: e.at, offsetSeconds: (e.at - t0) / 1000, message: e.message })),
    timeline: events.map((e) => ({ at: e.at, offsetSeconds: (e.at - t0) / 1000, type: e.type, message: e.message })),
    explanation: rec.state === 'resolved' ? (scenario?.spec.fix.explanation ?? null) : null,
  };
}
