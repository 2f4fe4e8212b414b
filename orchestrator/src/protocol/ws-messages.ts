import { z } from 'zod';
import { hintViewSchema, runViewSchema } from './run.ts';
import { runEventSchema } from './run-events.ts';
import { secondStatsSchema } from './stats.ts';

/** Version of the WebSocket protocol; bumped on any breaking change to the messages below. */
export const protocolVersion = 1;

export const serviceStatusSchema = z.object({
  name: z.string(),
  state: z.enum(['starting', 'running', 'restarting', 'stopped', 'failed']),
  pid: z.number().nullable(),
  restarts: z.number().int(),
  lastExit: z.string().nullable(),
});
export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

export const logLineSchema = z.object({
  id: z.number(),
  service: z.string(),
  time: z.number(),
  level: z.string(),
  msg: z.string(),
  traceId: z.string().nullable().optional(),
  fields: z.record(z.string(), z.unknown()).optional(),
});

/** A state change of an alert the telemetry hub evaluates (stack/prometheus/rules), as pushed to the site. */
export const alertEventViewSchema = z.object({
  seq: z.number().int(),
  alertname: z.string(),
  state: z.enum(['pending', 'firing', 'resolved', 'inactive']),
  /** Epoch milliseconds of the evaluation that changed the state. */
  at: z.number(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  /** The expression's value at that evaluation; null when not a finite number. */
  value: z.number().nullable(),
});
export type AlertEventView = z.infer<typeof alertEventViewSchema>;

/** Server -> client: a snapshot on connect, then deltas. One discriminated union on `type`. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('snapshot'),
    protocolVersion: z.literal(protocolVersion),
    serverTime: z.number(),
    run: runViewSchema.nullable(),
    events: z.array(runEventSchema),
    hints: z.array(hintViewSchema),
    stats: z.array(secondStatsSchema),
    services: z.array(serviceStatusSchema),
  }),
  z.object({ type: z.literal('run'), run: runViewSchema }),
  z.object({ type: z.literal('event'), event: runEventSchema }),
  z.object({ type: z.literal('hint'), hint: hintViewSchema }),
  z.object({ type: z.literal('stats'), stats: secondStatsSchema }),
  z.object({
    type: z.literal('resolution'),
    runId: z.string(),
    outcome: z.enum(['resolved', 'abandoned', 'expired', 'aborted']),
    scenarioId: z.string(),
    title: z.string(),
    explanation: z.string(),
    stageTimes: runViewSchema.shape.stageTimes,
  }),
  z.object({ type: z.literal('service'), service: serviceStatusSchema }),
  z.object({ type: z.literal('log'), line: logLineSchema }),
  z.object({ type: z.literal('alert'), alert: alertEventViewSchema }),
  z.object({ type: z.literal('heartbeat'), serverTime: z.number() }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/** Client -> server. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({
    type: z.literal('subscribe-logs'),
    service: z.string().max(32).optional(),
    level: z.string().max(10).optional(),
    text: z.string().max(200).optional(),
  }),
  z.object({ type: z.literal('unsubscribe-logs') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
