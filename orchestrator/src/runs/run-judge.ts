import type { RunState, SloView } from '../protocol/run.ts';
import type { SloVerdict } from './slo-judge.ts';

/** Load runs this long before the baseline window starts (connections, JIT). */
export const baselineWarmupSeconds = 3;

/** What the judge needs of a run: its state and the moments that matter. */
export interface JudgedRun {
  state: RunState;
  /** Epoch ms the baseline load started (again, after a restart). */
  baselineSince: number;
  injectedAt: number | null;
  breachedAt: number | null;
  /** The SLO's state at the last tick: null before the first verdict (and after a restart). */
  sloMet: boolean | null;
  /** Learner changes since the fault, and the moment of the last one. */
  learnerChanges: number;
  lastChangeAt: number | null;
}

export interface JudgeRules {
  slo: SloView;
  baselineSeconds: number;
  expiresAfterSeconds: number;
  /** Extra seconds a baseline may take to hold before the run is aborted as unhealthy. */
  baselineGraceSeconds: number;
}

/** The simulated users' traffic as the judge reads it (the shell builds it from the load generator). */
export interface Traffic {
  /** The SLO verdict over the last `seconds` seconds of the users' traffic. */
  verdict(seconds: number): SloVerdict;
  /** Epoch seconds of the last `count` per-second reports (fewer while the load is younger). */
  lastSeconds(count: number): number[];
}

export type RunEnd = { state: 'resolved'; fixSeconds: number; hold: SloVerdict } | { state: 'expired' };

/** What the shell is to do after one tick. */
export type Decision =
  /** Nothing to do: a terminal or pending run, or a baseline still filling its window. */
  | { kind: 'wait' }
  /** The baseline's window is full but the SLO does not hold yet (still within the grace). */
  | { kind: 'baseline_unhealthy'; verdict: SloVerdict }
  | { kind: 'baseline_ok'; verdict: SloVerdict; seconds: number }
  | { kind: 'baseline_failed'; verdict: SloVerdict }
  | {
      kind: 'judged';
      verdict: SloVerdict;
      sinceFault: number;
      /** The SLO broke (`breached`, `first` when the run never breached before) or holds again (`recovered`). */
      change: { to: 'breached'; first: boolean } | { to: 'recovered' } | null;
      end: RunEnd | null;
    };

/**
 * The run's judge, a pure function of the run, its rules, the users' traffic and the time: baseline → fault
 * when the SLO held for `baselineSeconds` (after the warm-up), abort when it never held within the grace;
 * while injected, the verdict over the incident's own traffic, its breaches and recoveries, and the end: resolved
 * once a learner change is followed by `holdSeconds` of traffic, all after the change, that meets the SLO;
 * expired after `expiresAfterSeconds`. `run-tick.ts` applies the decisions (store, load, WebSocket).
 */
export function judgeRun(run: JudgedRun, rules: JudgeRules, traffic: Traffic, now: number): Decision {
  const { slo } = rules;
  if (run.state === 'baseline') {
    // The first seconds of load warm up connections and JIT; the baseline is judged on the seconds after.
    const elapsed = (now - run.baselineSince) / 1000 - baselineWarmupSeconds;
    const need = rules.baselineSeconds;
    if (elapsed < need) return { kind: 'wait' };
    const verdict = traffic.verdict(need);
    if (verdict.met) return { kind: 'baseline_ok', verdict, seconds: need };
    if (elapsed > need + rules.baselineGraceSeconds) return { kind: 'baseline_failed', verdict };
    return { kind: 'baseline_unhealthy', verdict };
  }
  if (run.state !== 'injected' || run.injectedAt === null) return { kind: 'wait' };

  const sinceFault = (now - run.injectedAt) / 1000;
  // The window never reaches back before the fault: a breach is judged on the incident's own traffic.
  const window = Math.max(1, Math.min(slo.windowSeconds, Math.floor(sinceFault)));
  const verdict = traffic.verdict(window);
  const change =
    run.sloMet !== false && !verdict.met
      ? { to: 'breached' as const, first: run.breachedAt === null }
      : run.sloMet === false && verdict.met
        ? { to: 'recovered' as const }
        : null;
  return { kind: 'judged', verdict, sinceFault, change, end: runEnd(run, rules, traffic, sinceFault) };
}

function runEnd(run: JudgedRun, rules: JudgeRules, traffic: Traffic, sinceFault: number): RunEnd | null {
  const { holdSeconds } = rules.slo;
  if (run.learnerChanges > 0 && run.lastChangeAt !== null) {
    // A change restarts the clock: every second judged was scheduled after it, and there are holdSeconds of them.
    const seconds = traffic.lastSeconds(holdSeconds);
    const afterChange = seconds.length === holdSeconds && seconds.every((t) => t * 1000 >= run.lastChangeAt!);
    if (afterChange) {
      const hold = traffic.verdict(holdSeconds);
      if (hold.met) return { state: 'resolved', fixSeconds: sinceFault, hold };
    }
  }
  if (sinceFault > rules.expiresAfterSeconds) return { state: 'expired' };
  return null;
}
