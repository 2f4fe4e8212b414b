import { z } from 'zod';

/** A run's states: pending -> baseline -> injected -> resolved | abandoned | expired; aborted when the
 *  system was not healthy at baseline or the platform could not inject the fault. */
export const runStates = ['pending', 'baseline', 'injected', 'resolved', 'abandoned', 'expired', 'aborted'] as const;
export const runStateSchema = z.enum(runStates);
export type RunState = z.infer<typeof runStateSchema>;
export const activeRunStates: readonly RunState[] = ['pending', 'baseline', 'injected'];

export const stageNames = ['detect', 'localize', 'diagnose', 'fix'] as const;
export const stageSchema = z.enum(stageNames);
export type Stage = z.infer<typeof stageSchema>;

export const sloSchema = z.object({
  successPct: z.number(),
  latencyPercentile: z.union([z.literal(50), z.literal(95), z.literal(99)]),
  latencyThresholdMs: z.number(),
  windowSeconds: z.number(),
  holdSeconds: z.number(),
  rateLimitedCountsAsSuccess: z.boolean(),
});
export type SloView = z.infer<typeof sloSchema>;

/** Stage times in seconds from fault injection (TTD, TTL, TTDx, TTM); null until reached. */
export const stageTimesSchema = z.object({
  detect: z.number().nullable(),
  localize: z.number().nullable(),
  diagnose: z.number().nullable(),
  fix: z.number().nullable(),
});
export type StageTimes = z.infer<typeof stageTimesSchema>;

/** The load a run uses on this machine (see docs/scenario-guide.md, "Load on every machine"). */
export const loadFiguresSchema = z.object({
  source: z.enum(['probe', 'configured', 'reference']),
  capacityRps: z.number().nullable(),
  measuredAt: z.number().nullable(),
  baselineRps: z.number(),
  baselineReferenceRps: z.number(),
  baselineShare: z.number().nullable(),
  faultRps: z.number().nullable(),
  faultReferenceRps: z.number().nullable(),
  overload: z.number().nullable(),
});
export type LoadFiguresView = z.infer<typeof loadFiguresSchema>;

export const runViewSchema = z.object({
  id: z.string(),
  /** Hidden (null) in surprise mode until the run ends. */
  scenarioId: z.string().nullable(),
  title: z.string(),
  surprise: z.boolean(),
  /** On call: the site shows "you are on call" instead of the incident until an alert pages. */
  onCall: z.boolean().default(false),
  seed: z.number().int().nullable(),
  state: runStateSchema,
  reason: z.string().nullable(),
  startedAt: z.number(),
  injectedAt: z.number().nullable(),
  breachedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  slo: sloSchema,
  sloMet: z.boolean().nullable(),
  stageTimes: stageTimesSchema,
  learnerChanges: z.number().int(),
  /** The active run's load on this machine; null for a past run. */
  load: loadFiguresSchema.nullable().default(null),
});
export type RunView = z.infer<typeof runViewSchema>;

export const hintViewSchema = z.object({
  id: z.string(),
  runId: z.string(),
  at: z.number(),
  text: z.string(),
  trigger: z.string(),
});
export type HintView = z.infer<typeof hintViewSchema>;
