// The simulated users of the shop: an open-model load generator driven by the orchestrator.
export { createLoadGenerator } from './generator.ts';
export type { LoadGenerator, LoadGeneratorOptions } from './generator.ts';
export {
  loadPlanSchema,
  loadPhaseSchema,
  journeyWeightsSchema,
  journeyNameSchema,
  journeyNames,
  defaultJourneyWeights,
  maxPlanRps,
} from './plan-schema.ts';
export type { LoadPlan, LoadPlanInput, LoadPhase, JourneyName, JourneyWeights } from './plan-schema.ts';
export { planRate, planArrivals, planDurationS } from './patterns.ts';
export { outcomeKinds, completedKinds } from './outcome.ts';
export type { OutcomeKind, OutcomeCounts } from './outcome.ts';
export type { SecondStats } from './second-stats.ts';
export type { WindowSummary } from './stats-window.ts';
export type { LatencyMs } from './histograms.ts';
