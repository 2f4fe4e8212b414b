import { z } from 'zod';
import { loadFiguresSchema, stageSchema } from './run.ts';
import { actionKinds } from './actions.ts';

// A run's timeline: one event type per thing that happened, each with its own data. The engine writes them, the
// store keeps them (control.run_events, data as JSON), the WebSocket sends them and the site reads them, all
// through these types: `e.type === 'hint_shown'` narrows `e.data` to the hint's fields.

/** The SLO judge's verdict over a window (runs/slo-judge.ts). */
const verdictData = z.object({
  met: z.boolean(),
  /** Null when the window held no traffic. */
  successPct: z.number().nullable(),
  latencyMs: z.number().nullable(),
  requests: z.number(),
  reasons: z.array(z.string()),
});

const configChange = z.object({ key: z.string(), from: z.unknown(), to: z.unknown() });

const alertData = z.object({
  alertname: z.string(),
  severity: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  value: z.number().nullable(),
  /** Epoch milliseconds of the rule evaluation. */
  evaluatedAt: z.number(),
});

const nothing = z.object({});

/** Each event type and its data. Fields added in later versions are optional: a resumed run's older rows parse. */
export const runEventData = {
  started: z.object({
    seed: z.number().int().nullable(),
    onCall: z.boolean().optional(),
    load: loadFiguresSchema.optional(),
  }),
  baseline_ok: verdictData,
  baseline_failed: verdictData,
  /** The fault's config changes; empty in surprise mode (the timeline never names the fault). */
  fault_applied: z.object({ changes: z.array(configChange).optional() }),
  slo_breached: verdictData.extend({ sinceFault: z.number() }),
  slo_recovered: verdictData,
  hint_shown: z.object({ hintId: z.string(), text: z.string(), trigger: z.string() }),
  config_changed: z.object({
    service: z.string(),
    patch: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    changes: z.array(configChange),
    who: z.string(),
    /** Changed after the fault: counts as a fix attempt. */
    counted: z.boolean(),
  }),
  /** A fix action beyond knobs (protocol/actions.ts): a restart, a rollout, a job stopped, a backend terminated. */
  action_taken: z.object({
    action: z.enum(actionKinds),
    target: z.string(),
    who: z.string(),
    /** Taken after the fault: counts as a fix attempt (the judge's hold starts again). */
    counted: z.boolean(),
  }),
  checkpoint_answered: z.object({
    checkpointId: z.string(),
    stage: stageSchema,
    correct: z.boolean(),
    answer: z.union([z.number(), z.string()]),
  }),
  service_crashed: z.object({ service: z.string() }),
  service_restarted: z.object({ service: z.string() }),
  orchestrator_restarted: nothing,
  resolved: nothing,
  abandoned: nothing,
  expired: nothing,
  aborted: nothing,
  alert_pending: alertData,
  alert_firing: alertData,
  alert_resolved: alertData,
  alert_acknowledged: z.object({ alertnames: z.array(z.string()), ttaSeconds: z.number() }),
  /** Stack mode: Alertmanager delivered a notification. */
  alert_notified: z.object({
    alertnames: z.array(z.string()),
    severity: z.string(),
    status: z.string(),
    receiver: z.string(),
    groupKey: z.string(),
    alerts: z.number().int(),
    summary: z.string().nullable(),
  }),
} as const;

export type RunEventType = keyof typeof runEventData;
export const runEventTypes = Object.keys(runEventData) as RunEventType[];
export const runEventTypeSchema = z.enum(runEventTypes as [RunEventType, ...RunEventType[]]);
/** The data of one event type. */
export type RunEventDataOf<T extends RunEventType> = z.infer<(typeof runEventData)[T]>;

const eventBase = {
  runId: z.string(),
  seq: z.number().int(),
  /** Epoch milliseconds. */
  at: z.number(),
  message: z.string(),
};

type EventSchemaOf<T extends RunEventType> = z.ZodObject<
  typeof eventBase & { type: z.ZodLiteral<T>; data: (typeof runEventData)[T] }
>;

function eventSchema<T extends RunEventType>(type: T): EventSchemaOf<T> {
  return z.object({ ...eventBase, type: z.literal(type), data: runEventData[type] }) as EventSchemaOf<T>;
}

/** The schema of each event type, as a union (each member keeps its own literal type and data). */
type AnyEventSchema = { [T in RunEventType]: EventSchemaOf<T> }[RunEventType];

/** One discriminated union on `type`. */
export const runEventSchema = z.discriminatedUnion(
  'type',
  runEventTypes.map(eventSchema) as [AnyEventSchema, ...AnyEventSchema[]],
);
export type RunEvent = z.infer<typeof runEventSchema>;
/** The event of one type. */
export type RunEventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

/** A type guard for one event type, for `events.filter(ofType('hint_shown'))` and `find`. */
export function ofType<T extends RunEventType>(type: T): (e: RunEvent) => e is RunEventOf<T> {
  return (e): e is RunEventOf<T> => e.type === type;
}
