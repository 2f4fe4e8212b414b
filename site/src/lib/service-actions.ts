import type { JobView, RestartView, RolloutView, TerminateView } from './types.ts';

/**
 * The outcome lines of the fix actions beyond config knobs (components/ServiceActions.tsx, DbActivity.tsx): what
 * the learner reads after a restart, a rollout, a stopped job or a terminated backend. Facts only: whether the
 * action fixed anything is for the metrics to show.
 */

/** Milliseconds as a person reads a wait: `340 ms`, `4.2 s`, `1 min 05 s`. */
export function tookLabel(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(Math.round(v / 100) / 10).toFixed(1)} s`;
  const s = Math.round(v / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

export const restartText = (r: RestartView) =>
  `${r.service} restarted: ${r.pid === null ? 'no new pid reported' : `new pid ${r.pid}`}, took ${tookLabel(r.tookMs)}.`;

export const rolloutText = (r: RolloutView) =>
  `${r.service} now runs ${r.to} (was ${r.from}); the rollout took ${tookLabel(r.tookMs)}.`;

export const terminateText = (t: TerminateView) =>
  t.terminated
    ? `Terminated backend ${t.pid} (${t.application || 'no application name'}).`
    : `Backend ${t.pid} (${t.application || 'no application name'}) was not terminated: it had already ended.`;

export const stopJobText = (j: JobView) => `${j.name} is ${j.state}${j.lastExit ? ` (${j.lastExit})` : ''}.`;

/** When the job's current state began: its start while running, its end once it stopped or failed. */
export function jobSince(j: Pick<JobView, 'state' | 'startedAt' | 'endedAt'>): number | null {
  if (j.state === 'running') return j.startedAt;
  return j.endedAt ?? j.startedAt;
}
