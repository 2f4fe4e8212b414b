import type { RunEvent, RunView } from './types.ts';
import { isActive } from './live.ts';

/** The run's first page: an alert rule of severity `page` firing while the run was active. */
export const firstPage = (events: RunEvent[]): RunEvent | undefined =>
  events.find((e) => e.type === 'alert_firing' && e.data.severity === 'page');

/**
 * A run started on call and not paged yet: the site says only "you are on call" and keeps the incident to itself
 * (no state, no SLO verdict, no fault event, no hints) until the alert rules page the learner.
 */
export function quietOnCall(run: RunView | null, events: RunEvent[]): boolean {
  return !!run && run.onCall && isActive(run) && !firstPage(events);
}

/** Run events the platform uses to announce an incident; hidden while quietly on call. */
export const announcing = new Set(['fault_applied', 'slo_breached', 'slo_recovered', 'hint_shown', 'alert_pending']);
