import { z } from 'zod';

/**
 * The DB view (docs/api.md): the shop database's backends as `pg_stat_activity` and `pg_locks` show them, with who
 * blocks whom (`pg_blocking_pids`), and the terminate action (`pg_terminate_backend`).
 */
export const dbBackendSchema = z.object({
  pid: z.number().int(),
  /** `application_name`: which service (or job) the connection belongs to. */
  application: z.string(),
  user: z.string(),
  /** active, idle, idle in transaction, … */
  state: z.string().nullable(),
  /** `Lock`, `Client`, `IO` … and the event itself (`relation`, `transactionid`, `ClientRead` …). */
  waitEventType: z.string().nullable(),
  waitEvent: z.string().nullable(),
  /** Seconds since its transaction began (null outside a transaction). */
  xactAgeS: z.number().nullable(),
  /** Seconds since its current (or last) statement began. */
  queryAgeS: z.number().nullable(),
  query: z.string(),
  /** Backends this one waits for. */
  blockedBy: z.array(z.number().int()),
  /** Backends waiting for this one. */
  blocking: z.array(z.number().int()),
});
export type DbBackendView = z.infer<typeof dbBackendSchema>;

export const dbLockSchema = z.object({
  pid: z.number().int(),
  locktype: z.string(),
  /** `schema.table` for a relation lock, else null. */
  relation: z.string().nullable(),
  mode: z.string(),
  granted: z.boolean(),
});
export type DbLockView = z.infer<typeof dbLockSchema>;

export const dbActivityResponseSchema = z.object({
  at: z.number().describe('Epoch ms of the snapshot.'),
  database: z.string(),
  backends: z.array(dbBackendSchema).describe("The shop's client backends, blockers first, then oldest transaction."),
  locks: z.array(dbLockSchema).describe('Locks held or awaited by those backends (relation and row-level).'),
});
export type DbActivityView = z.infer<typeof dbActivityResponseSchema>;

export const backendParamsSchema = z.strictObject({
  pid: z.coerce
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .describe('PostgreSQL backend pid (from GET /api/db/activity).'),
});

export const terminateResponseSchema = z.object({
  pid: z.number().int(),
  application: z.string(),
  terminated: z.boolean(),
});
export type TerminateView = z.infer<typeof terminateResponseSchema>;
