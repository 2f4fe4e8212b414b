// What the learner's commands and the platform's signals record on the active run: its timeline entry, and with
// it a fix attempt counted, a stage's time, the run's config put back on a restarted service. The engine calls
// these under its lock, once it has found the run they are about.
import type { RunEventDataOf, RunEventType } from '../protocol/run-events.ts';
import type { KnobService } from '../scenarios/knobs.ts';
import type { CheckpointAnswerView, PageAckView } from '../protocol/views.ts';
import type { ActionRecord } from '../protocol/actions.ts';
import type { AlertEventView } from '../protocol/ws-messages.ts';
import type { AlertmanagerNotification } from '../api/alertmanager-routes.ts';
import { type ActiveRun, countFixAttempt } from './active-run.ts';
import {
  acknowledgementDraft,
  alertDraft,
  checkpointDraft,
  type EventDraft,
  notificationDraft,
} from './run-event-drafts.ts';
import type { RunEngineDeps } from './run-engine-deps.ts';
import { RunRefusal } from './run-refusal.ts';
import { reapplyRunConfig } from './run-recovery.ts';

/** The active run as an annotation sees it: its collaborators and the engine's way onto its timeline. */
export interface AnnotatedRun {
  readonly run: ActiveRun;
  readonly deps: Pick<RunEngineDeps, 'store' | 'control' | 'log'>;
  event<T extends RunEventType>(type: T, message: string, data: RunEventDataOf<T>): Promise<void>;
  record(draft: EventDraft): Promise<void>;
}

/** Records a learner's config change on the active run (the API forwarded it to the service). */
export async function recordConfigChange(
  h: AnnotatedRun,
  service: KnobService,
  patch: Record<string, string | number | boolean>,
  changes: { key: string; from: unknown; to: unknown }[],
  who: string,
): Promise<void> {
  if (changes.length === 0) return;
  const r = h.run;
  const injected = r.rec.state === 'injected';
  if (injected) {
    const related = changes.every((c) => r.scenario.relevantKnobs.has(`${service}.${c.key}`));
    countFixAttempt(r, related, Date.now());
  }
  const text = changes
    .map((c) => `${service}.${c.key} ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`)
    .join(', ');
  await h.event('config_changed', `${who} changed ${text}`, { service, patch, changes, who, counted: injected });
}

/**
 * Records a learner's fix action (a restart, a rollout, a job stopped, a backend terminated) on the active run.
 * After the fault it counts like a config change: the judge's hold starts again from it. A restart or a rollout
 * brings a process up on defaults: `replaced` names the service whose run config (the incident's and the
 * learner's changes) is put back, as after a crash.
 */
export async function recordFixAction(h: AnnotatedRun, a: ActionRecord, replaced?: string): Promise<void> {
  const r = h.run;
  const injected = r.rec.state === 'injected';
  if (injected) {
    countFixAttempt(r, r.scenario.relevantActions.has(a.action), Date.now());
    if (replaced) await reapplyRunConfig(h.deps, r, replaced);
  }
  await h.event('action_taken', `${a.who === 'learner' ? 'learner' : a.who}: ${a.summary}`, {
    action: a.action,
    target: a.target,
    who: a.who,
    counted: injected,
  });
}

/** Grades an answer to one of the run's checkpoints; the first right one sets its stage's time. */
export async function gradeCheckpointAnswer(
  h: AnnotatedRun,
  checkpointId: string,
  answer: number | string,
): Promise<CheckpointAnswerView> {
  const r = h.run;
  const cp = r.scenario.spec.checkpoints.find((c) => c.id === checkpointId);
  if (!cp) throw new RunRefusal('not_found', `unknown checkpoint "${checkpointId}"`);
  const graded = checkpointDraft(cp, answer);
  const { correct } = graded.data;
  if (correct && r.rec.injectedAt !== null && r.rec.stageTimes[cp.stage] === null) {
    r.rec.stageTimes[cp.stage] = (Date.now() - r.rec.injectedAt) / 1000;
    await h.deps.store.update(r.rec);
  }
  await h.record(graded);
  return { correct, explanation: correct ? cp.explanation : '', stage: cp.stage };
}

/**
 * Called by the hub's rule evaluator: an alert went pending, fired or resolved. Recorded on the active run's
 * timeline (the postmortem shows when the burn was seen, when the learner was paged and when it ended); an
 * alert that goes inactive from pending never fired and ends nothing.
 */
export async function recordAlert(h: AnnotatedRun, a: AlertEventView): Promise<void> {
  const draft = alertDraft(a);
  if (draft) await h.record(draft);
}

/**
 * Stack mode: Alertmanager delivered a notification (after its grouping and inhibition). Recorded on the active
 * run's timeline beside the rule's own firing, so the postmortem shows how long delivery took.
 */
export function recordNotification(h: AnnotatedRun, n: AlertmanagerNotification): Promise<void> {
  return h.record(notificationDraft(n));
}

/**
 * The learner acknowledges the page (which pages, and TTA from when: `acknowledgementDraft`); refused
 * (`no_page`) when nothing paged.
 */
export async function recordPageAck(h: AnnotatedRun): Promise<PageAckView> {
  const ack = acknowledgementDraft(h.run.events, Date.now());
  await h.record(ack);
  return ack.data;
}

/** Called by the supervisor: a SUT service crashed or came back. */
export async function recordServiceEvent(
  h: AnnotatedRun,
  type: 'service_crashed' | 'service_restarted',
  service: string,
  message: string,
): Promise<void> {
  await h.event(type, message, { service });
  if (type === 'service_restarted' && h.run.rec.state === 'injected') await reapplyRunConfig(h.deps, h.run, service);
}
