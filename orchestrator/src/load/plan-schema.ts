import { z } from 'zod';

/** The simulated users' journeys through the shop, each one HTTP request to the user gateway. */
export const journeyNames = ['browse', 'search', 'view', 'recommendations', 'checkout'] as const;
export const journeyNameSchema = z
  .enum(journeyNames)
  .describe(
    'A user journey: browse (a catalogue page), search, view (one product), recommendations, checkout (an order).',
  );
export type JourneyName = z.infer<typeof journeyNameSchema>;

/** Highest rate a plan may ask for; beyond this a laptop measures itself, not the shop. */
export const maxPlanRps = 5000;

const rps = (what: string) => z.number().min(0).max(maxPlanRps).describe(`${what}, in requests per second.`);
const durationS = z
  .number()
  .positive()
  .max(86_400)
  .describe(
    'How long this phase lasts, in seconds. After the last phase, its final rate holds until the load is stopped.',
  );

export const constantPhaseSchema = z
  .strictObject({
    pattern: z.literal('constant').describe('A steady rate.'),
    durationS,
    rps: rps('The rate'),
  })
  .describe('A steady arrival rate.');

export const rampPhaseSchema = z
  .strictObject({
    pattern: z.literal('ramp').describe('A linear change of rate.'),
    durationS,
    fromRps: rps('The rate at the start of the phase'),
    toRps: rps('The rate at the end of the phase'),
  })
  .describe('The rate changes linearly from fromRps to toRps over the phase.');

export const stepPhaseSchema = z
  .strictObject({
    pattern: z.literal('step').describe('A staircase of rates.'),
    durationS,
    fromRps: rps('The rate of the first stair'),
    toRps: rps('The rate of the last stair'),
    steps: z
      .int()
      .min(2)
      .max(100)
      .describe('Number of stairs of equal length; stair i of n runs at fromRps + (toRps - fromRps) * i / (n - 1).'),
  })
  .describe('The rate climbs (or descends) from fromRps to toRps in equal stairs.');

export const spikePhaseSchema = z
  .strictObject({
    pattern: z.literal('spike').describe('A flash crowd on top of a base rate.'),
    durationS,
    baseRps: rps('The rate outside the spike'),
    peakRps: rps('The rate during the spike'),
    atS: z.number().min(0).describe('When the spike starts, in seconds from the start of the phase.'),
    forS: z.number().positive().describe('How long the spike lasts, in seconds.'),
  })
  .refine((p) => p.atS + p.forS <= p.durationS, {
    message: 'the spike (atS + forS) must end within the phase (durationS)',
    path: ['forS'],
  })
  .describe('The rate jumps from baseRps to peakRps at atS for forS seconds, then returns to baseRps.');

export const wavePhaseSchema = z
  .strictObject({
    pattern: z.literal('wave').describe('A sinusoidal rate, like daily traffic compressed.'),
    durationS,
    baseRps: rps('The mean rate'),
    amplitudeRps: rps('How far the rate swings above and below baseRps'),
    periodS: z.number().positive().describe('The length of one full wave, in seconds.'),
  })
  .refine((p) => p.amplitudeRps <= p.baseRps, {
    message: 'amplitudeRps must not exceed baseRps (a rate cannot be negative)',
    path: ['amplitudeRps'],
  })
  .describe('The rate follows baseRps + amplitudeRps * sin(2π t / periodS), t from the start of the phase.');

export const loadPhaseSchema = z
  .discriminatedUnion('pattern', [
    constantPhaseSchema,
    rampPhaseSchema,
    stepPhaseSchema,
    spikePhaseSchema,
    wavePhaseSchema,
  ])
  .describe('One phase of a load plan: an arrival-rate pattern over a duration.');
export type LoadPhase = z.infer<typeof loadPhaseSchema>;

const weight = (journey: string) =>
  z.number().min(0).default(0).describe(`Relative weight of the ${journey} journey (0 or omitted: never chosen).`);

/** The shop's usual mix; used when a plan does not say. */
export const defaultJourneyWeights = { browse: 30, search: 15, view: 35, recommendations: 12, checkout: 8 } as const;

export const journeyWeightsSchema = z
  .strictObject({
    browse: weight('browse (GET /api/products?page=N)'),
    search: weight('search (GET /api/products?search=term)'),
    view: weight('view (GET /api/products/:id)'),
    recommendations: weight('recommendations (GET /api/recommendations/:id)'),
    checkout: weight('checkout (POST /api/orders)'),
  })
  .refine((w) => Object.values(w).some((v) => v > 0), { message: 'at least one journey needs a weight above 0' })
  .default(defaultJourneyWeights)
  .describe('How often each journey is chosen, as relative weights. When given, omitted journeys weigh 0.');
export type JourneyWeights = z.infer<typeof journeyWeightsSchema>;

export const loadPlanSchema = z
  .strictObject({
    phases: z
      .array(loadPhaseSchema)
      .min(1)
      .describe('Phases run in order; after the last one its final rate holds until stopped.'),
    journeys: journeyWeightsSchema,
    maxInFlight: z
      .int()
      .min(1)
      .max(10_000)
      .default(256)
      .describe(
        'Most requests outstanding at once. A request due while the cap is reached is counted as dropped, never delayed.',
      ),
    timeoutMs: z
      .int()
      .min(1)
      .max(60_000)
      .default(2000)
      .describe(
        'A request without a complete response after this many milliseconds is aborted and counted as timeout.',
      ),
    purpose: z
      .enum(['users', 'warm-up', 'probe'])
      .default('users')
      .describe(
        "users: the simulated users, counted in the loadgen_* metrics that the users' panels and the SLO alert rules read. warm-up and probe: the platform's own traffic (boot warm-up, capacity probe), counted only in the per-second stats, so it never pages anyone.",
      ),
  })
  .describe(
    'How the simulated users load the shop: an open model, requests arrive at the planned rate whatever the latency.',
  );

export type LoadPlan = z.infer<typeof loadPlanSchema>;
export type LoadPlanInput = z.input<typeof loadPlanSchema>;
