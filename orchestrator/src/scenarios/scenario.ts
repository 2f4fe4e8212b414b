import type { LoadPlan } from '../load/plan-schema.ts';
import { fixConfig, type ConfigState, type ScenarioSpec } from './scenario-schema.ts';
import type { KnobService } from './knobs.ts';
import { signals, type SignalName } from './signals.ts';

/** A loaded scenario as the engine runs it: validated, defaults applied, derived facts computed. */
export interface Scenario {
  id: string;
  source: string;
  spec: ScenarioSpec;
  baselinePlan: LoadPlan;
  faultPlan: LoadPlan | null;
  faultConfig: ConfigState;
  /** `service.knob` keys the fault or the fix touch: changing anything else is an "unrelated" change. */
  relevantKnobs: Set<string>;
  /** Fix actions (restart, release …) the documented fix takes: any other action is an "unrelated" change. */
  relevantActions: Set<string>;
  hints: ResolvedHint[];
}

export type ResolvedHint =
  | { id: string; text: string; kind: 'after'; afterSeconds: number }
  | {
      id: string;
      text: string;
      kind: 'signal';
      signal: SignalName;
      expr: string;
      op: '>' | '<';
      value: number;
      forSeconds: number;
    }
  | { id: string; text: string; kind: 'no-change'; seconds: number }
  | { id: string; text: string; kind: 'unrelated-change' };

export function resolveScenario(spec: ScenarioSpec, source: string): Scenario {
  const relevant = new Set<string>();
  for (const state of [spec.fault.config, ...fixConfig(spec.fix.documented)]) {
    for (const [service, knobs] of Object.entries(state))
      for (const k of Object.keys(knobs)) relevant.add(`${service}.${k}`);
  }
  const hints: ResolvedHint[] = spec.hints.map((h) => {
    const w = h.when;
    if ('afterSeconds' in w) return { id: h.id, text: h.text, kind: 'after', afterSeconds: w.afterSeconds };
    if ('signal' in w)
      return {
        id: h.id,
        text: h.text,
        kind: 'signal',
        signal: w.signal,
        expr: signals[w.signal].expr,
        op: w.op,
        value: w.value,
        forSeconds: w.forSeconds,
      };
    if ('noChangeForSeconds' in w) return { id: h.id, text: h.text, kind: 'no-change', seconds: w.noChangeForSeconds };
    return { id: h.id, text: h.text, kind: 'unrelated-change' };
  });
  return {
    id: spec.id,
    source,
    spec,
    baselinePlan: { ...spec.load, purpose: 'users' },
    faultPlan: spec.fault.load ? { ...spec.fault.load, purpose: 'users' } : null,
    faultConfig: spec.fault.config,
    relevantKnobs: relevant,
    relevantActions: new Set(
      Array.isArray(spec.fix.documented) ? spec.fix.documented.map((a) => a.action).filter((a) => a !== 'config') : [],
    ),
    hints,
  };
}

export function isKnobService(s: string): s is KnobService {
  return s === 'gateway' || s === 'api' || s === 'inventory';
}
