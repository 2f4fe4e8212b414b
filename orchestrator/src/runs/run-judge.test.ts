import { describe, expect, it } from 'vitest';
import { type Decision, type JudgedRun, type JudgeRules, judgeRun, type Traffic } from './run-judge.ts';
import type { SloVerdict } from './slo-judge.ts';
import { defaultSlo } from '../scenarios/scenario-schema.ts';

// The run's state machine as a table: each row is a run, the traffic of its users and the time, and the decision
// the judge must take. The engine's tests (run-engine-*.test.ts) show the decisions applied.

const rules: JudgeRules = {
  slo: defaultSlo,
  baselineSeconds: 10,
  expiresAfterSeconds: 600,
  baselineGraceSeconds: 20,
};

const T0 = 1_800_000_000_000;
const ok: SloVerdict = { met: true, successPct: 100, latencyMs: 40, requests: 800, reasons: [] };
const bad: SloVerdict = { met: false, successPct: 80, latencyMs: 900, requests: 800, reasons: ['success 80 % < 99 %'] };

/** Users' traffic: `verdict` for every window asked, one report a second up to `lastT` (epoch seconds). */
function traffic(verdict: SloVerdict, lastT: number, windows: number[] = []): Traffic {
  return {
    verdict: (seconds) => {
      windows.push(seconds);
      return verdict;
    },
    lastSeconds: (count) => Array.from({ length: count }, (_, i) => lastT - count + 1 + i),
  };
}

const baseline = (p: Partial<JudgedRun> = {}): JudgedRun => ({
  state: 'baseline',
  baselineSince: T0,
  injectedAt: null,
  breachedAt: null,
  sloMet: null,
  learnerChanges: 0,
  lastChangeAt: null,
  ...p,
});
/** A run whose fault went in at T0 + 20 s. */
const injected = (p: Partial<JudgedRun> = {}): JudgedRun =>
  baseline({ state: 'injected', injectedAt: T0 + 20_000, sloMet: true, ...p });
const at = (s: number) => T0 + s * 1000;

type Row = [name: string, run: JudgedRun, verdict: SloVerdict, now: number, expected: Partial<Decision>];

const rows: Row[] = [
  // baseline: 3 s warm-up, then baselineSeconds (10) of traffic, then up to 20 s of grace
  ['baseline while warming up: wait', baseline(), ok, at(12.9), { kind: 'wait' }],
  ['baseline held for its window: the fault goes in', baseline(), ok, at(13), { kind: 'baseline_ok', seconds: 10 }],
  ['baseline not holding, within grace', baseline(), bad, at(20), { kind: 'baseline_unhealthy', verdict: bad }],
  ['baseline holds late, within grace', baseline({ sloMet: false }), ok, at(33), { kind: 'baseline_ok' }],
  ['baseline never held: aborted', baseline(), bad, at(33.1), { kind: 'baseline_failed', verdict: bad }],
  // injected: breaches and recoveries
  ['fault without effect yet', injected(), ok, at(25), { kind: 'judged', change: null, end: null }],
  [
    'first breach',
    injected(),
    bad,
    at(30),
    { kind: 'judged', change: { to: 'breached', first: true }, end: null, sinceFault: 10 },
  ],
  ['still breached: no new event', injected({ sloMet: false, breachedAt: at(30) }), bad, at(31), { change: null }],
  ['recovers', injected({ sloMet: false, breachedAt: at(30) }), ok, at(60), { change: { to: 'recovered' } }],
  [
    'breaches again: not the first',
    injected({ breachedAt: at(30) }),
    bad,
    at(90),
    { change: { to: 'breached', first: false } },
  ],
  // resolution: a learner change, then holdSeconds (20) of traffic all after it that meet the SLO
  ['holding without any change does not resolve', injected({ sloMet: true }), ok, at(300), { end: null }],
  [
    'a change, then 20 s held after it: resolved',
    injected({ sloMet: false, breachedAt: at(30), learnerChanges: 1, lastChangeAt: at(100) }),
    ok,
    at(120),
    { end: { state: 'resolved', fixSeconds: 100, hold: ok } },
  ],
  [
    'a change, but the window (101 … 120 s) still holds a second from before it',
    injected({ sloMet: false, learnerChanges: 1, lastChangeAt: at(101) + 1 }),
    ok,
    at(120),
    { end: null },
  ],
  [
    'a wrong change: the SLO stays breached',
    injected({ sloMet: false, learnerChanges: 1, lastChangeAt: at(100) }),
    bad,
    at(200),
    { change: null, end: null },
  ],
  ['expired', injected({ sloMet: false }), bad, at(20 + 600.5), { end: { state: 'expired' } }],
  [
    'resolution wins over expiry',
    injected({ learnerChanges: 2, lastChangeAt: at(500) }),
    ok,
    at(621),
    { end: { state: 'resolved', fixSeconds: 601, hold: ok } },
  ],
  // resume after a restart: the verdict is unknown (null) and the changes come from the stored timeline
  [
    'resumed injected run still broken: breach recorded again, not the first',
    injected({ sloMet: null, breachedAt: at(30) }),
    bad,
    at(400),
    { change: { to: 'breached', first: false } },
  ],
  [
    'resumed run whose stored change held: resolved',
    injected({ sloMet: null, breachedAt: at(30), learnerChanges: 1, lastChangeAt: at(380) }),
    ok,
    at(400),
    { change: null, end: { state: 'resolved', fixSeconds: 380, hold: ok } },
  ],
  ['resumed baseline starts its window again', baseline({ baselineSince: at(400) }), ok, at(410), { kind: 'wait' }],
  // no judging outside baseline and injected
  ...(['pending', 'resolved', 'abandoned', 'expired', 'aborted'] as const).map(
    (state): Row => [`${state}: nothing to judge`, injected({ state }), bad, at(100), { kind: 'wait' }],
  ),
];

describe('judgeRun, the run state machine', () => {
  it.each(rows)('%s', (_name, run, verdict, now, expected) => {
    const lastT = Math.floor(now / 1000);
    expect(judgeRun(run, rules, traffic(verdict, lastT), now)).toMatchObject(expected);
  });

  it('judges a young incident only on its own traffic, never the baseline before it', () => {
    const windows: number[] = [];
    judgeRun(injected(), rules, traffic(ok, Math.floor(at(27) / 1000), windows), at(27.5));
    judgeRun(injected(), rules, traffic(ok, Math.floor(at(20.2) / 1000), windows), at(20.2));
    judgeRun(injected(), rules, traffic(ok, Math.floor(at(90) / 1000), windows), at(90));
    expect(windows).toEqual([7, 1, 30]);
  });
});
