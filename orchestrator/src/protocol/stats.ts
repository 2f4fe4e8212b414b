import { z } from 'zod';

const latency = z.object({ p50: z.number(), p95: z.number(), p99: z.number(), max: z.number() });
const outcomes = z.object({
  ok: z.number(),
  client: z.number(),
  rate_limited: z.number(),
  server: z.number(),
  timeout: z.number(),
  connection: z.number(),
  dropped: z.number(),
});

/** What the simulated users experienced in one second (see orchestrator/src/load/second-stats.ts). */
export const secondStatsSchema = z.object({
  t: z.number(),
  offered: z.number(),
  sent: z.number(),
  completed: z.number(),
  outcomes,
  successPct: z.number().nullable(),
  latencyMs: latency.nullable(),
  journeys: z.record(z.string(), z.object({ count: z.number(), ok: z.number(), p95Ms: z.number().nullable() })),
  ordersCreated: z.number(),
  inFlight: z.number(),
});
export type SecondStatsView = z.infer<typeof secondStatsSchema>;
