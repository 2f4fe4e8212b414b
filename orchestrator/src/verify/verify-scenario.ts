import type { ServerMessage } from '../protocol/ws-messages.ts';
import type { Fix } from '../scenarios/scenario-schema.ts';
import { applyFix as takeFix } from './apply-fix.ts';
import type { LoadFiguresView } from '../protocol/run.ts';
import { ofType, type RunEvent } from '../protocol/run-events.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { RestClient } from './rest-client.ts';
import type { RunObserver } from './run-observer.ts';

/** A fault must breach the SLO this soon after it is applied. */
export const breachDeadlineS = 10;
/** A fix (right or wrong) is judged this long after it is applied, beyond the scenario's holdSeconds. */
export const fixSlackS = 5;
/** After a missed deadline, keep watching this much longer to report how late it was. */
const lateWatchS = 30;
export { fixAnswerBudgetMs, slowApplyBudgetMs } from './apply-fix.ts';
/** Quiet time after each scenario's reset. */
const settleMs = 8000;

export interface SecondFigure {
  /** Seconds from the fault. */
  s: number;
  successPct: number | null;
  p95Ms: number | null;
  /** Requests by outcome (ok, rate_limited, server, timeout …), zero counts left out: what the success hides. */
  outcomes: Partial<Record<string, number>>;
}

export interface ScenarioFigures {
  id: string;
  passed: boolean;
  baseline: { successPct: number; latencyMs: number } | null;
  /** The load the run used on this machine (baseline and fault rates, scaled to the calibration). */
  load: LoadFiguresView | null;
  /** Seconds from the fault to `slo_breached`; null if it never came. */
  breachS: number | null;
  /** null: the scenario has no wrong fix; true: it was applied and did not resolve the run. */
  wrongFixHeldOff: boolean | null;
  /** Seconds from the documented fix to `resolved`; null if it never came. */
  resolveS: number | null;
  /** Milliseconds the slowest fix PATCH (wrong or documented) took to answer; null if none was sent. */
  fixAnswerMs: number | null;
  failures: string[];
  /** What the simulated users saw each second after the fault (p95 and success), for tuning. */
  seconds: SecondFigure[];
}

const isEvent = (runId: string, type: RunEvent['type']) => (m: ServerMessage) =>
  m.type === 'event' && m.event.runId === runId && m.event.type === type;
const isEnd = (runId: string) => (m: ServerMessage) => m.type === 'resolution' && m.runId === runId;
const secs = (ms: number) => Math.round(ms / 100) / 10;

/** A scenario's figures before anything was measured (and what a crashed verification reports). */
export function noFigures(id: string, failures: string[] = []): ScenarioFigures {
  return {
    id,
    passed: false,
    baseline: null,
    load: null,
    breachS: null,
    wrongFixHeldOff: null,
    resolveS: null,
    fixAnswerMs: null,
    failures,
    seconds: [],
  };
}

/**
 * Plays one scenario the way a learner would, over REST and the WebSocket: start a run, see the baseline hold
 * and the fault breach the SLO within 10 s, apply `fix.wrong` (the run must NOT resolve within holdSeconds + 5 s),
 * then `fix.documented` (it must resolve within holdSeconds + 5 s). Each fix PATCH must answer within 2 s.
 * Always leaves the platform reset.
 */
export async function verifyScenario(
  scenario: Scenario,
  rest: RestClient,
  obs: RunObserver,
  log: (line: string) => void = () => {},
): Promise<ScenarioFigures> {
  const { spec } = scenario;
  const hold = spec.slo.holdSeconds;
  const f = noFigures(scenario.id);
  const fail = (why: string) => {
    f.failures.push(why);
    log(`  ${scenario.id}: FAIL ${why}`);
  };
  /** Takes a fix as a learner would (apply-fix.ts); returns when the last request answered. */
  const applyFix = async (fix: Fix): Promise<number> => {
    for (const step of await takeFix(rest, fix)) {
      f.fixAnswerMs = Math.max(f.fixAnswerMs ?? 0, step.ms);
      log(`  ${scenario.id}: ${step.what} answered in ${step.ms} ms`);
      if (step.ms > step.budgetMs) fail(`${step.what} took ${step.ms} ms to answer, more than ${step.budgetMs} ms`);
    }
    return Date.now();
  };
  await rest.ok('POST', '/reset');
  obs.mark();
  const run = await rest.ok<{ id: string; load: LoadFiguresView | null }>('POST', '/runs', { scenarioId: scenario.id });
  f.load = run.load;
  const ended = () => obs.next(isEnd(run.id), 0);
  let injectedAt = 0;
  const unsubscribe = obs.onStats((st) => {
    if (injectedAt && st.t * 1000 >= injectedAt - 1000)
      f.seconds.push({
        s: Math.round(st.t - injectedAt / 1000),
        successPct: st.successPct,
        p95Ms: st.latencyMs ? Math.round(st.latencyMs.p95) : null,
        outcomes: Object.fromEntries(Object.entries(st.outcomes).filter(([, n]) => n > 0)),
      });
  });
  try {
    const baselineMs = (spec.baselineSeconds + 40) * 1000;
    const ok = await obs.next((m) => isEvent(run.id, 'baseline_ok')(m) || isEnd(run.id)(m), baselineMs);
    if (!ok || ok.type !== 'event' || ok.event.type !== 'baseline_ok') {
      const last = obs.lastStats ? ` last second: ${JSON.stringify(obs.lastStats.outcomes)}` : '';
      const trouble = obs.serviceTrouble.length ? ` services: ${obs.serviceTrouble.join(', ')}` : '';
      return (
        fail(`baseline never held: ${ok?.type === 'resolution' ? ok.explanation : 'no baseline_ok'}${last}${trouble}`),
        f
      );
    }
    f.baseline = {
      successPct: Number(ok.event.data.successPct),
      latencyMs: Math.round(Number(ok.event.data.latencyMs)),
    };
    log(
      `  ${scenario.id}: baseline ok (${f.baseline.successPct.toFixed(2)} %, p${spec.slo.latencyPercentile} ${f.baseline.latencyMs} ms)`,
    );
    const applied = await obs.next(isEvent(run.id, 'fault_applied'), 5000);
    if (!applied || applied.type !== 'event') return (fail('the fault was never applied'), f);
    injectedAt = applied.event.at;

    const breach = await obs.next(
      (m) => isEvent(run.id, 'slo_breached')(m) || isEnd(run.id)(m),
      (breachDeadlineS + lateWatchS) * 1000,
    );
    if (!breach || breach.type !== 'event')
      return (
        fail(
          `the fault did not breach the SLO${breach?.type === 'resolution' ? ` (run ${breach.outcome})` : ` within ${breachDeadlineS + lateWatchS} s`}`,
        ),
        f
      );
    f.breachS = secs(breach.event.at - injectedAt);
    log(`  ${scenario.id}: SLO breached ${f.breachS} s after the fault (${breach.event.message})`);
    if (f.breachS > breachDeadlineS) fail(`breached after ${f.breachS} s, later than ${breachDeadlineS} s`);

    if (spec.fix.wrong) {
      await applyFix(spec.fix.wrong);
      const counted = obs
        .events(run.id)
        .filter((e) => (e.type === 'config_changed' || e.type === 'action_taken') && e.data.counted).length;
      if (counted === 0) fail('the wrong fix changed nothing (it must be a real change, or it proves nothing)');
      const early = await obs.next(isEnd(run.id), (hold + fixSlackS) * 1000);
      f.wrongFixHeldOff = early === null;
      if (early?.type === 'resolution')
        return (fail(`the wrong fix ${JSON.stringify(spec.fix.wrong)} ended the run: ${early.outcome}`), f);
      log(`  ${scenario.id}: wrong fix ${JSON.stringify(spec.fix.wrong)} did not resolve it in ${hold + fixSlackS} s`);
    }

    const fixedAt = await applyFix(spec.fix.documented);
    const end = await obs.next(isEnd(run.id), (hold + fixSlackS + lateWatchS) * 1000);
    if (!end || end.type !== 'resolution')
      return (fail(`the documented fix did not resolve the run within ${hold + fixSlackS + lateWatchS} s`), f);
    if (end.outcome !== 'resolved') return (fail(`the run ended ${end.outcome}: ${end.explanation}`), f);
    f.resolveS = secs(Date.now() - fixedAt);
    log(`  ${scenario.id}: resolved ${f.resolveS} s after the documented fix`);
    if (f.resolveS > hold + fixSlackS)
      fail(`resolved after ${f.resolveS} s, later than holdSeconds + ${fixSlackS} = ${hold + fixSlackS} s`);
    f.passed = f.failures.length === 0;
    return f;
  } finally {
    unsubscribe();
    if (!(await ended())) await rest.call('POST', `/runs/${run.id}/stop`);
    await rest.ok('POST', '/reset');
    // Let queues a breached run left behind (requests the gateway still forwards) drain before the next baseline.
    await new Promise((r) => setTimeout(r, settleMs));
  }
}
