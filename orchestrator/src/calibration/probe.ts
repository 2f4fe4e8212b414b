import type { JourneyWeights, LoadGenerator, LoadPlanInput, SecondStats } from '../load/index.ts';

/** What a rate must give the simulated users to count as served: the built-in scenarios' SLO. */
export const probeSlo = { successPct: 99, p95Ms: 250 } as const;
/** The shop's everyday mix (the built-in scenarios' baseline). */
export const probeJourneys: JourneyWeights = { browse: 30, search: 15, view: 35, recommendations: 12, checkout: 8 };
/** Stairs of the probe: from 100 req/s, 1.4× each, up to the load generator's own limit. */
export const probeRates: readonly number[] = [100, 140, 196, 274, 384, 538, 753, 1054, 1476, 2066, 2893, 4050];
/** Seconds per stair; the first second of each is a transition and not judged. */
export const probeStairS = 5;
/**
 * A ramp before the first stair: a fresh shop is slow for its first seconds (JIT, pools, caches, a database
 * that has just been seeded). Measured: straight after the first boot, 5 s at 50 req/s gave 196 req/s where
 * the same shop warm held 384.
 */
export const probeWarmS = 12;
/** Gentle load between a broken stair and the one tried between it and the last that held. */
export const probeCoolS = 4;

export interface ProbeStep {
  rps: number;
  /** Merged over the judged seconds. */
  successPct: number;
  /** Per judged second; null when no request completed in that second. */
  p95Ms: (number | null)[];
  passed: boolean;
}

export interface ProbeResult {
  /** The highest stair the shop served within the SLO; 0 when even the first failed. */
  capacityRps: number;
  steps: ProbeStep[];
  /** Why the probe ended: a stair failed, every stair passed, or someone else took the load generator. */
  ended: 'failed-stair' | 'top' | 'taken-over';
}

/**
 * Judges one stair: served when, over its judged seconds, at least 99 % of scheduled requests succeeded
 * (dropped and timed-out ones count against it) and the median second's p95 is within 250 ms. The median,
 * not the worst second: one GC pause or scheduler hiccup must not halve the measured capacity.
 */
export function judgeStair(rps: number, seconds: readonly SecondStats[]): ProbeStep {
  const offered = seconds.reduce((n, s) => n + s.offered, 0);
  const ok = seconds.reduce((n, s) => n + s.outcomes.ok, 0);
  const successPct = offered > 0 ? (100 * ok) / offered : 0;
  const p95Ms = seconds.map((s) => (s.latencyMs ? Math.round(s.latencyMs.p95) : null));
  const sorted = p95Ms.map((p) => p ?? Infinity).sort((a, b) => a - b);
  const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : Infinity;
  return {
    rps,
    successPct,
    p95Ms,
    passed: seconds.length > 0 && successPct >= probeSlo.successPct && median <= probeSlo.p95Ms,
  };
}

/** The warm-up ramp, then a plan per stair (set while the load runs, so arrivals never pause). */
export function warmPlan(): LoadPlanInput {
  // A request slower than the timeout has failed its stair anyway; a short one ends an overloaded stair quickly.
  return {
    phases: [{ pattern: 'ramp', durationS: probeWarmS, fromRps: 20, toRps: 150 }],
    journeys: probeJourneys,
    timeoutMs: 2000,
    purpose: 'probe',
  };
}
export function stairPlan(rps: number): LoadPlanInput {
  return {
    phases: [{ pattern: 'constant', durationS: 60, rps }],
    journeys: probeJourneys,
    timeoutMs: 2000,
    purpose: 'probe',
  };
}

/**
 * Measures what this machine can serve: drives the real shop through the gateway with stairs of rising rate
 * (the everyday journey mix) until one breaks the SLO twice in a row, then tries one stair between the last that
 * held and that one, and returns the highest stair that held.
 * A stair that breaks is tried once more: connection pools growing at a new rate or a GC pause must not
 * halve the figure, while real saturation breaks it again. Ends early, without a verdict, when someone else takes the load generator over.
 * Takes 12 s + 5 s per stair: about 50 s on a quiet 2-core laptop.
 */
export async function probeCapacity(
  load: LoadGenerator,
  o: { rates?: readonly number[]; onStep?: (step: ProbeStep) => void } = {},
): Promise<ProbeResult> {
  const rates = o.rates ?? probeRates;
  if (load.plan) throw new Error('the load generator is busy: the capacity probe needs it to itself');
  const steps: ProbeStep[] = [];
  const seconds = new Map<number, SecondStats>();
  const off = load.onSecond((s) => seconds.set(s.t, s));
  load.start(warmPlan());
  let own: LoadGenerator['plan'] = load.plan;
  const takenOver = () => load.plan !== own;
  /** Resolves true once every second in [from, to] is reported, false if the load was taken over meanwhile. */
  const reported = async (from: number, to: number) => {
    for (;;) {
      if (takenOver()) return false;
      let all = true;
      for (let t = from; t <= to; t++) if (!seconds.has(t)) all = false;
      if (all) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Runs a stair, and once more if it breaks; null when the load was taken over. */
  const stair = async (rps: number): Promise<boolean | null> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      if (takenOver()) return null;
      load.setPlan(stairPlan(rps));
      own = load.plan;
      const startS = Date.now() / 1000;
      // The whole seconds of the stair without its first (transition) second.
      const from = Math.ceil(startS + 1);
      const to = Math.floor(startS + probeStairS) - 1;
      await new Promise((r) => setTimeout(r, probeStairS * 1000));
      if (!(await reported(from, to))) return null;
      const step = judgeStair(
        rps,
        Array.from({ length: to - from + 1 }, (_, k) => seconds.get(from + k)!),
      );
      steps.push(step);
      o.onStep?.(step);
      if (step.passed) return true;
    }
    return false;
  };
  let ended: ProbeResult['ended'] = 'top';
  let capacityRps = 0;
  try {
    await new Promise((r) => setTimeout(r, probeWarmS * 1000));
    for (const rps of rates) {
      const held = await stair(rps);
      if (held === null) {
        ended = 'taken-over';
        break;
      }
      if (!held) {
        ended = 'failed-stair';
        // One stair between the last that held and this one (1.18× apart instead of 1.4×).
        const mid = Math.round(Math.sqrt(capacityRps * rps));
        if (capacityRps > 0) {
          // Let the queues of the broken stair drain first, or they break the next one whatever its rate.
          load.setPlan(stairPlan(50));
          own = load.plan;
          await new Promise((r) => setTimeout(r, probeCoolS * 1000));
          const midHeld = await stair(mid);
          if (midHeld === null) ended = 'taken-over';
          else if (midHeld) capacityRps = mid;
        }
        break;
      }
      capacityRps = rps;
    }
  } finally {
    off();
    if (!takenOver()) await load.stop();
  }
  return { capacityRps: ended === 'taken-over' ? 0 : capacityRps, steps, ended };
}
