import type { RunEvent, RunEventDataOf, RunEventType } from '../protocol/run-events.ts';
import { ofType } from '../protocol/run-events.ts';
import type { AlertEventView } from '../protocol/ws-messages.ts';
import type { AlertmanagerNotification } from '../api/alertmanager-routes.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import { RunRefusal } from './run-refusal.ts';

// What the commands and signals of a run put on its timeline, as pure functions of their input (and the timeline
// so far): the engine only numbers, stores and pushes them.

/** A timeline entry before the engine gives it its run, sequence number and time. */
export type EventDraft = { [T in RunEventType]: { type: T; message: string; data: RunEventDataOf<T> } }[RunEventType];

/** An alert went pending, fired or resolved (the hub's rule evaluator); null for one that never fired. */
export function alertDraft(a: AlertEventView): EventDraft | null {
  if (a.state === 'inactive') return null;
  const severity = a.labels.severity ?? 'none';
  const summary = a.annotations.summary ? `: ${a.annotations.summary}` : '';
  return {
    type: a.state === 'firing' ? 'alert_firing' : a.state === 'pending' ? 'alert_pending' : 'alert_resolved',
    message: `${a.alertname} (${severity}) ${a.state}${summary}`,
    data: {
      alertname: a.alertname,
      severity,
      labels: a.labels,
      annotations: a.annotations,
      value: a.value,
      evaluatedAt: a.at,
    },
  };
}

/** Stack mode: Alertmanager delivered a notification (after its grouping and inhibition). */
export function notificationDraft(n: AlertmanagerNotification): EventDraft {
  const alertnames = [...new Set(n.alerts.map((a) => a.labels.alertname))];
  const severity = n.commonLabels.severity ?? 'mixed';
  return {
    type: 'alert_notified',
    message: `Alertmanager notified ${n.receiver}: ${alertnames.join(', ')} (${severity}) ${n.status}`,
    data: {
      alertnames,
      severity,
      status: n.status,
      receiver: n.receiver,
      groupKey: n.groupKey,
      alerts: n.alerts.length,
      summary: n.commonAnnotations.summary ?? null,
    },
  };
}

/**
 * The learner acknowledges the page: the pages (severity `page`) still open, fired since the last acknowledgement
 * and not resolved since, or, when all of them have resolved already, every page fired since. Time to acknowledge
 * (TTA) counts from the first of them: a page that fired and resolved before the incident (a busy machine's slow
 * start) does not count against the learner. Refused (`no_page`) when nothing paged.
 */
export function acknowledgementDraft(
  events: readonly RunEvent[],
  now: number,
): EventDraft & { type: 'alert_acknowledged' } {
  const since = events.slice(events.findLastIndex((e) => e.type === 'alert_acknowledged') + 1);
  const fired = since.filter(ofType('alert_firing')).filter((e) => e.data.severity === 'page');
  const open = fired.filter(
    (f) => !since.some((e) => e.type === 'alert_resolved' && e.data.alertname === f.data.alertname && e.seq > f.seq),
  );
  const pages = open.length > 0 ? open : fired;
  if (pages.length === 0) throw new RunRefusal('no_page', 'no page to acknowledge');
  const alertnames = [...new Set(pages.map((e) => e.data.alertname))];
  const ttaSeconds = (now - pages[0].at) / 1000;
  return {
    type: 'alert_acknowledged',
    message: `page acknowledged after ${ttaSeconds.toFixed(0)} s: ${alertnames.join(', ')}`,
    data: { alertnames, ttaSeconds },
  };
}

type Checkpoint = Scenario['spec']['checkpoints'][number];

/** Grades an answer to a checkpoint: a choice index, or free text matched by the checkpoint's pattern. */
export function checkpointDraft(cp: Checkpoint, answer: number | string): EventDraft & { type: 'checkpoint_answered' } {
  if (cp.choices && typeof answer === 'number' && answer >= cp.choices.length) {
    throw new RunRefusal('invalid_request', `answer must be a choice index 0..${cp.choices.length - 1}`, [
      { path: 'answer', message: 'out of range' },
    ]);
  }
  const correct =
    cp.pattern !== undefined
      ? typeof answer === 'string' && new RegExp(cp.pattern, 'i').test(answer)
      : typeof answer === 'number' && answer === cp.answer;
  return {
    type: 'checkpoint_answered',
    message: `${cp.stage}: ${correct ? 'right' : 'not quite'}`,
    data: { checkpointId: cp.id, stage: cp.stage, correct, answer },
  };
}
