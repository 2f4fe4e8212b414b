import { maxPlanRps, type LoadPhase, type LoadPlan } from '../load/index.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { Calibration } from './calibration-file.ts';
import type { LoadFiguresView } from '../protocol/run.ts';

/**
 * The capacity (capacity probe, everyday mix) of the machine the scenario YAML rates were written for: a quiet
 * 2-core laptop. A load fault written as N req/s means "N / referenceCapacityRps times what the shop can serve".
 */
export const referenceCapacityRps = 636;
/** The healthy baseline may use at most this share of the measured capacity. */
export const maxBaselineShare = 0.5;
/**
 * To stay within that share, a baseline may be lowered to this fraction of its YAML rate, no further: config
 * faults (a smaller pool, a shorter timeout) are sized against the YAML rate and may stop overloading below it.
 */
export const minBaselineScale = 0.75;
/** A load fault offers at least this multiple of the measured capacity. */
export const minOverload = 1.5;

/** The load a run uses on this machine and why: what a run records and the lesson shows. */
export type LoadFigures = LoadFiguresView;

export interface EffectiveLoad {
  baseline: LoadPlan;
  fault: LoadPlan | null;
  figures: LoadFigures;
}

/** A scenario this machine cannot run honestly; the message says why and what to do. */
export class CapacityRefusal extends Error {}

function phasePeak(p: LoadPhase): number {
  switch (p.pattern) {
    case 'constant':
      return p.rps;
    case 'ramp':
    case 'step':
      return Math.max(p.fromRps, p.toRps);
    case 'spike':
      return Math.max(p.baseRps, p.peakRps);
    case 'wave':
      return p.baseRps + p.amplitudeRps;
  }
}

export function peakRps(phases: readonly LoadPhase[]): number {
  return Math.max(0, ...phases.map(phasePeak));
}

function scalePhase(p: LoadPhase, r: (rps: number) => number): LoadPhase {
  switch (p.pattern) {
    case 'constant':
      return { ...p, rps: r(p.rps) };
    case 'ramp':
    case 'step':
      return { ...p, fromRps: r(p.fromRps), toRps: r(p.toRps) };
    case 'spike':
      return { ...p, baseRps: r(p.baseRps), peakRps: r(p.peakRps) };
    case 'wave':
      return { ...p, baseRps: r(p.baseRps), amplitudeRps: r(p.amplitudeRps) };
  }
}

/** Every rate of the plan times `factor` (durations, journeys and timeouts unchanged). */
export function scalePlan(plan: LoadPlan, factor: number): LoadPlan {
  const r = (v: number) => Math.min(maxPlanRps, Math.round(v * factor));
  return { ...plan, phases: plan.phases.map((p) => scalePhase(p, r)) };
}

/**
 * The scenario's load on this machine (docs/scenario-guide.md, "Load on every machine"):
 * - the baseline keeps its YAML rates (config faults such as a smaller pool are sized against them) unless they
 *   exceed half the measured capacity; then it is lowered to that, by at most 25 %, or the scenario is refused;
 * - a load fault offers the same multiple of capacity as its YAML rate does of the reference machine's (at
 *   least 1.5×): its rates are scaled by capacity, down on a busy laptop, up on a workstation.
 * Without a calibration the YAML rates are used as they are.
 */
export function effectiveLoad(
  scenario: Pick<Scenario, 'id' | 'baselinePlan' | 'faultPlan'>,
  calibration: Calibration | null,
): EffectiveLoad {
  const baselineRps = peakRps(scenario.baselinePlan.phases);
  const faultReferenceRps = scenario.faultPlan ? peakRps(scenario.faultPlan.phases) : null;
  if (!calibration) {
    return {
      baseline: scenario.baselinePlan,
      fault: scenario.faultPlan,
      figures: {
        source: 'reference',
        capacityRps: null,
        measuredAt: null,
        baselineRps,
        baselineReferenceRps: baselineRps,
        baselineShare: null,
        faultRps: faultReferenceRps,
        faultReferenceRps,
        overload: null,
      },
    };
  }
  const c = calibration.capacityRps;
  const where = `this machine served ${c} req/s within the SLO in its capacity probe${calibration.source === 'configured' ? ' (OBS_CALIBRATION)' : ''}`;
  const baselineScale = Math.min(1, (maxBaselineShare * c) / baselineRps);
  if (baselineScale < minBaselineScale) {
    throw new CapacityRefusal(
      `"${scenario.id}" cannot run honestly here: ${where}, and its healthy baseline of ${baselineRps} req/s may use at most ${Math.round(100 * maxBaselineShare)} % of capacity, so it would have to drop below ${Math.round(100 * minBaselineScale)} % of its rate, where its fault is no longer sized right (it needs ${Math.ceil((minBaselineScale * baselineRps) / maxBaselineShare)} req/s). Close busy programs and run \`npm run calibrate\`, or use a machine with more free CPU.`,
    );
  }
  const baseline = baselineScale < 1 ? scalePlan(scenario.baselinePlan, baselineScale) : scenario.baselinePlan;
  const effectiveBaselineRps = peakRps(baseline.phases);
  let fault = scenario.faultPlan;
  let faultRps = faultReferenceRps;
  if (scenario.faultPlan && faultReferenceRps) {
    const overload = Math.max(minOverload, faultReferenceRps / referenceCapacityRps);
    faultRps = Math.round(overload * c);
    if (faultRps > maxPlanRps) {
      throw new CapacityRefusal(
        `"${scenario.id}" cannot overload this machine: ${where}; its fault must offer ${overload.toFixed(1)}× that (${faultRps} req/s), more than the load generator sends (${maxPlanRps} req/s).`,
      );
    }
    fault = scalePlan(scenario.faultPlan, faultRps / faultReferenceRps);
  }
  return {
    baseline,
    fault,
    figures: {
      source: calibration.source,
      capacityRps: c,
      measuredAt: calibration.measuredAt,
      baselineRps: effectiveBaselineRps,
      baselineReferenceRps: baselineRps,
      baselineShare: effectiveBaselineRps / c,
      faultRps,
      faultReferenceRps,
      overload: faultRps !== null ? faultRps / c : null,
    },
  };
}
