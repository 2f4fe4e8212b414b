import type { LoadPhase } from './plan-schema.ts';

// Arrival-rate math for load plans. Times are seconds from the start of a phase (or plan).
// `arrivals` is the integral of the rate: the number of requests due by time t. The scheduler issues
// request k when arrivals(t) reaches k, so the count sent always matches the plan exactly.

const clamp = (t: number, max: number) => Math.min(Math.max(t, 0), max);

/** The target rate (requests per second) of one phase at time t (clamped to the phase). */
export function phaseRate(phase: LoadPhase, t: number): number {
  const x = clamp(t, phase.durationS);
  switch (phase.pattern) {
    case 'constant':
      return phase.rps;
    case 'ramp':
      return phase.fromRps + ((phase.toRps - phase.fromRps) * x) / phase.durationS;
    case 'step': {
      const stair = Math.min(Math.floor((x * phase.steps) / phase.durationS), phase.steps - 1);
      return stairRate(phase, stair);
    }
    case 'spike':
      return x >= phase.atS && x < phase.atS + phase.forS ? phase.peakRps : phase.baseRps;
    case 'wave':
      return phase.baseRps + phase.amplitudeRps * Math.sin((2 * Math.PI * x) / phase.periodS);
  }
}

function stairRate(phase: Extract<LoadPhase, { pattern: 'step' }>, stair: number): number {
  return phase.fromRps + ((phase.toRps - phase.fromRps) * stair) / (phase.steps - 1);
}

/** Requests due in one phase between its start and time t (clamped to the phase): the integral of phaseRate. */
export function phaseArrivals(phase: LoadPhase, t: number): number {
  const x = clamp(t, phase.durationS);
  switch (phase.pattern) {
    case 'constant':
      return phase.rps * x;
    case 'ramp':
      return phase.fromRps * x + ((phase.toRps - phase.fromRps) * x * x) / (2 * phase.durationS);
    case 'step': {
      const stairS = phase.durationS / phase.steps;
      const full = Math.min(Math.floor(x / stairS), phase.steps - 1);
      let sum = 0;
      for (let i = 0; i < full; i++) sum += stairRate(phase, i) * stairS;
      return sum + stairRate(phase, full) * (x - full * stairS);
    }
    case 'spike': {
      const inSpike = clamp(x - phase.atS, phase.forS);
      return phase.baseRps * (x - inSpike) + phase.peakRps * inSpike;
    }
    case 'wave': {
      const w = (2 * Math.PI) / phase.periodS;
      return phase.baseRps * x + (phase.amplitudeRps / w) * (1 - Math.cos(w * x));
    }
  }
}

/** Total planned duration of the phases, in seconds. */
export function planDurationS(phases: readonly LoadPhase[]): number {
  return phases.reduce((s, p) => s + p.durationS, 0);
}

/** Finds the phase running at plan time t; past the end, the last phase at its end. */
function locate(phases: readonly LoadPhase[], t: number): { index: number; start: number } {
  let start = 0;
  for (let i = 0; i < phases.length - 1; i++) {
    if (t < start + phases[i].durationS) return { index: i, start };
    start += phases[i].durationS;
  }
  return { index: phases.length - 1, start };
}

/** Target rate of a plan at time t seconds from its start. After the last phase, that phase's final rate holds. */
export function planRate(phases: readonly LoadPhase[], t: number): number {
  if (phases.length === 0) return 0;
  const { index, start } = locate(phases, Math.max(t, 0));
  return phaseRate(phases[index], t - start);
}

/** Requests due by time t seconds from the start of a plan (the integral of planRate from 0 to t). */
export function planArrivals(phases: readonly LoadPhase[], t: number): number {
  if (phases.length === 0 || t <= 0) return 0;
  const { index, start } = locate(phases, t);
  let sum = 0;
  for (let i = 0; i < index; i++) sum += phaseArrivals(phases[i], phases[i].durationS);
  const last = phases[index];
  const inPhase = t - start;
  sum += phaseArrivals(last, inPhase);
  if (inPhase > last.durationS) sum += phaseRate(last, last.durationS) * (inPhase - last.durationS);
  return sum;
}
