import { z } from 'zod';
import { serviceNames } from './rest.ts';

/**
 * Fix actions beyond knobs (docs/api.md): restart a service, roll a release out (or back), stop a background job,
 * terminate a PostgreSQL backend. Each is its own route, needs the session token like every write, and is recorded
 * on the active run's timeline as an `action_taken` event. The SLO judge still decides whether it fixed anything.
 */

/** A release of a service's code: what it is called and its release note (as the team wrote it). */
export const releaseViewSchema = z.object({
  version: z.string(),
  notes: z.string(),
  current: z.boolean(),
});
export type ReleaseView = z.infer<typeof releaseViewSchema>;

export const releasesResponseSchema = z.object({
  service: z.enum(serviceNames),
  current: z.string().describe('The release serving traffic now.'),
  releases: z.array(releaseViewSchema).describe('Every release that can be rolled out, oldest first.'),
});
export type ReleasesView = z.infer<typeof releasesResponseSchema>;

export const releaseBodySchema = z.strictObject({
  version: z.string().min(1).max(40).describe('The release to roll out (GET .../releases lists them).'),
});

export const rolloutResponseSchema = z.object({
  service: z.enum(serviceNames),
  from: z.string(),
  to: z.string(),
  /** Milliseconds from the start of the rollout until the old process had drained and exited. */
  tookMs: z.number(),
});
export type RolloutView = z.infer<typeof rolloutResponseSchema>;

export const restartResponseSchema = z.object({
  service: z.enum(serviceNames),
  /** The new process's pid. */
  pid: z.number().int().nullable(),
  tookMs: z.number(),
});
export type RestartView = z.infer<typeof restartResponseSchema>;

export const jobNames = ['analytics-rollup'] as const;
export type JobName = (typeof jobNames)[number];
export const jobParamsSchema = z.strictObject({ name: z.enum(jobNames).describe('Background job of the shop.') });

export const jobViewSchema = z.object({
  name: z.enum(jobNames),
  /** What the job does, as its owners describe it. */
  description: z.string(),
  state: z.enum(['running', 'stopped', 'failed', 'idle']),
  pid: z.number().int().nullable(),
  startedAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  /** How it last ended: `exit code 0`, `signal SIGTERM`, or its last error line. */
  lastExit: z.string().nullable(),
});
export type JobView = z.infer<typeof jobViewSchema>;
export const jobsResponseSchema = z.object({ jobs: z.array(jobViewSchema) });

/** What the run's timeline records of an action (event `action_taken`). */
export const actionKinds = ['restart', 'release', 'stop-job', 'terminate-backend'] as const;
export type ActionKind = (typeof actionKinds)[number];
export interface ActionRecord {
  action: ActionKind;
  /** The service, job or backend pid the action was taken on. */
  target: string;
  /** One line for the timeline, e.g. `api release 2026.12.1 -> 2026.11.3`. */
  summary: string;
  who: string;
}
