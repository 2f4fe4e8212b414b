import pg from 'pg';
import { HttpError } from '@observastack/sut-common/errors.ts';
import type { DbActivityView, DbBackendView, DbLockView, TerminateView } from '../protocol/db-activity.ts';

/** `application_name` of the DB view's own connections. */
export const dbViewApplication = 'orchestrator-db-view';
/**
 * The platform's own connections to the shop database (the run store, the telemetry hub, this view): never shown,
 * never terminated. Everything else connected to it is the shop's (its services, their DDL, its jobs).
 */
export const platformApplications = ['orchestrator', 'observastack-telemetry', dbViewApplication];

/** The shop's client backends: $1 the platform's application names. */
const backendsSql = `SELECT pid, coalesce(application_name, '') AS application, coalesce(usename, '') AS "user", state,
    wait_event_type, wait_event,
    extract(epoch FROM clock_timestamp() - xact_start)::float8 AS xact_age_s,
    extract(epoch FROM clock_timestamp() - query_start)::float8 AS query_age_s,
    left(coalesce(query, ''), 1000) AS query, pg_blocking_pids(pid) AS blocked_by
  FROM pg_stat_activity
 WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
   AND NOT (coalesce(application_name, '') = ANY($1::text[]))`;

/**
 * Their locks: $1 the pids. A backend's lock on its own transaction id (and virtual one) says nothing and is left
 * out unless awaited (a row-lock wait shows as waiting for the holder's transaction id); so are locks on system
 * catalogs and on indexes, which every statement takes in passing.
 */
const locksSql = `SELECT l.pid, l.locktype, l.mode, l.granted,
    CASE WHEN c.oid IS NOT NULL THEN n.nspname || '.' || c.relname END AS relation
  FROM pg_locks l
  LEFT JOIN pg_class c ON l.locktype IN ('relation', 'tuple', 'page') AND c.oid = l.relation
  LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE l.pid = ANY($1::int[])
   AND (NOT l.granted OR (
         l.locktype NOT IN ('virtualxid', 'transactionid')
     AND NOT (l.locktype = 'relation' AND (c.oid IS NULL OR c.relkind = 'i'
              OR n.nspname IN ('pg_catalog', 'information_schema', 'pg_toast')))))`;

type Row = Record<string, unknown>;
const age = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/** The shop's backends, blockers first, then the oldest transaction first. */
async function shopBackends(pool: pg.Pool): Promise<DbBackendView[]> {
  const { rows } = await pool.query<Row>(backendsSql, [platformApplications]);
  const backends: DbBackendView[] = rows.map((r) => ({
    pid: Number(r.pid),
    application: String(r.application),
    user: String(r.user),
    state: (r.state as string | null) ?? null,
    waitEventType: (r.wait_event_type as string | null) ?? null,
    waitEvent: (r.wait_event as string | null) ?? null,
    xactAgeS: age(r.xact_age_s),
    queryAgeS: age(r.query_age_s),
    query: String(r.query),
    blockedBy: (r.blocked_by as number[]).map(Number),
    blocking: [],
  }));
  const byPid = new Map(backends.map((b) => [b.pid, b]));
  for (const b of backends) for (const p of b.blockedBy) byPid.get(p)?.blocking.push(b.pid);
  const xact = (b: DbBackendView) => b.xactAgeS ?? -1;
  return backends.sort(
    (a, b) =>
      Number(b.blocking.length > 0) - Number(a.blocking.length > 0) ||
      b.blocking.length - a.blocking.length ||
      xact(b) - xact(a) ||
      a.pid - b.pid,
  );
}

/** One snapshot of the shop database's client backends, who blocks whom, and their locks. */
export async function dbActivity(pool: pg.Pool): Promise<DbActivityView> {
  const at = Date.now();
  const [backends, db] = await Promise.all([
    shopBackends(pool),
    pool.query<{ database: string }>('SELECT current_database() AS database'),
  ]);
  const order = new Map(backends.map((b, i) => [b.pid, i]));
  const { rows } = await pool.query<Row>(locksSql, [backends.map((b) => b.pid)]);
  const locks: DbLockView[] = rows
    .map((r) => ({
      pid: Number(r.pid),
      locktype: String(r.locktype),
      relation: (r.relation as string | null) ?? null,
      mode: String(r.mode),
      granted: Boolean(r.granted),
    }))
    // Backends' order, a backend's awaited lock first.
    .sort(
      (a, b) =>
        order.get(a.pid)! - order.get(b.pid)! ||
        Number(a.granted) - Number(b.granted) ||
        (a.relation ?? '').localeCompare(b.relation ?? ''),
    );
  return { at, database: db.rows[0].database, backends, locks };
}

/** `pg_terminate_backend` on one of the shop's backends; 404 for any other pid (the platform's, another database's). */
export async function terminateBackend(pool: pg.Pool, pid: number): Promise<TerminateView> {
  const backend = (await shopBackends(pool)).find((b) => b.pid === pid);
  if (!backend)
    throw new HttpError(`no backend ${pid} of the shop database (GET /api/db/activity lists them)`, {
      code: 'not_found',
      status: 404,
    });
  const { rows } = await pool.query<{ terminated: boolean }>('SELECT pg_terminate_backend($1) AS terminated', [pid]);
  return { pid, application: backend.application, terminated: rows[0].terminated };
}

export interface DbView {
  pool: pg.Pool;
  close(): Promise<void>;
}

/** The DB view's own small pool (2 connections, 5 s statement timeout) on the shop database. */
export function createDbView(databaseUrl: string): DbView {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    application_name: dbViewApplication,
    statement_timeout: 5000,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', () => {}); // an idle connection dropped (server restart): the pool discards it
  return { pool, close: () => pool.end() };
}
