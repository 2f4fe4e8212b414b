import type { RunEvent } from '../protocol/run-events.ts';
import type { Postmortem } from '../protocol/views.ts';
import type { RunRecord } from '../store/run-store.ts';
import type { Scenario } from '../scenarios/scenario.ts';

/** Time to acknowledge: from the first page to the learner's first acknowledgement (seconds), null if none. */
function timeToAcknowledge(events: RunEvent[]): number | null {
  const ack = events.find((e) => e.type === 'alert_acknowledged');
  return ack && typeof ack.data.ttaSeconds === 'number' ? ack.data.ttaSeconds : null;
}

/** The postmortem of a run: outcome, stage times (TTD, TTL, TTDx, TTM) and the timeline, as JSON. */
export function buildPostmortem(rec: RunRecord, scenario: Scenario | undefined, events: RunEvent[]): Postmortem {
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
    stageTimes: {
      ttd: rec.stageTimes.detect,
      ttl: rec.stageTimes.localize,
      ttdx: rec.stageTimes.diagnose,
      ttm: rec.stageTimes.fix,
      tta: timeToAcknowledge(events),
    },
    learnerChanges: events
      .filter((e) => (e.type === 'config_changed' || e.type === 'action_taken') && e.data.counted)
      .map((e) => ({ at: e.at, offsetSeconds: (e.at - t0) / 1000, message: e.message })),
    timeline: events.map((e) => ({ at: e.at, offsetSeconds: (e.at - t0) / 1000, type: e.type, message: e.message })),
    explanation: rec.state === 'resolved' ? (scenario?.spec.fix.explanation ?? null) : null,
  };
}
