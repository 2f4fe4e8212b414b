import type { ActiveRun } from './active-run.ts';
import type { RunEngineLoad } from './run-engine-deps.ts';
import { type Decision, judgeRun, type Traffic } from './run-judge.ts';
import { judgeSlo, type SloVerdict } from './slo-judge.ts';

/**
 * One tick's judgement of the active run: its moments and the simulated users' traffic (as the load generator
 * reports it) handed to the pure judge in run-judge.ts.
 */
export function judgeActiveRun(
  r: ActiveRun,
  load: Pick<RunEngineLoad, 'summary' | 'recent'>,
  baselineGraceSeconds: number,
  now: number,
): Decision {
  const { spec } = r.scenario;
  const traffic: Traffic = {
    verdict: (seconds) => judgeSlo(load.summary(seconds), spec.slo),
    lastSeconds: (count) => load.recent(count).map((s) => s.t),
  };
  return judgeRun(
    {
      state: r.rec.state,
      baselineSince: r.baselineSince,
      injectedAt: r.rec.injectedAt,
      breachedAt: r.rec.breachedAt,
      sloMet: r.sloMet,
      learnerChanges: r.learnerChanges,
      lastChangeAt: r.lastChangeAt,
    },
    { ...spec, baselineGraceSeconds },
    traffic,
    now,
  );
}

/** A verdict's figures as the timeline states them, e.g. "99.80 % ok, p95 48 ms" (a verdict with traffic). */
export function verdictFigures(v: SloVerdict, latencyPercentile: number): string {
  return `${(v.successPct ?? 0).toFixed(2)} % ok, p${latencyPercentile} ${Math.round(v.latencyMs ?? 0)} ms`;
}
