import pg from 'pg';
import type { PgSnapshot } from './pg-snapshot.ts';
import * as sql from './pg-stats-queries.ts';

export interface PgStatsOptions {
  /** Tables whose scan counters are reported, as `schema.table`. */
  tables?: string[];
  /** Statements running longer than this are "slow". */
  slowThresholdMs?: number;
  slowLimit?: number;
  topLimit?: number;
  /** How long an unavailable pg_stat_statements is not asked again. */
  statementsRetryMs?: number;
  /** Errors of idle pooled connections (server restart); they never throw. */
  onError?: (err: Error) => void;
}

export interface PgStats {
  /** One round of queries; concurrent callers share the round in flight. Rejects when the database is unreachable. */
  snapshot(): Promise<PgSnapshot>;
  close(): Promise<void>;
}

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v ?? 0); // pg returns bigint and numeric columns as strings
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

/**
 * The database view of the telemetry hub, read from PostgreSQL's statistics views through a small pool of its
 * own (2 connections, `application_name` 'observastack-telemetry', 5 s statement timeout).
 */
export function createPgStats(databaseUrl: string, opts: PgStatsOptions = {}): PgStats {
  const tables = opts.tables ?? ['inventory.stock'];
  const slowThresholdMs = opts.slowThresholdMs ?? 100;
  const statementsRetryMs = opts.statementsRetryMs ?? 60_000;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    application_name: 'observastack-telemetry',
    statement_timeout: 5000,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5000,
  });
  pool.on('error', (err) => opts.onError?.(err));
  let inFlight: Promise<PgSnapshot> | undefined;
  let statementsUnavailable: { reason: string; until: number } | undefined;
  let extensionEnsured = false;

  async function topStatements(): Promise<PgSnapshot['topStatements']> {
    if (statementsUnavailable && Date.now() < statementsUnavailable.until)
      return { available: false, reason: statementsUnavailable.reason };
    let createError: string | undefined;
    if (!extensionEnsured) {
      try {
        await pool.query(sql.createStatementsExtensionSql);
        extensionEnsured = true;
      } catch (err) {
        createError = (err as Error).message; // it may still exist (created by someone allowed to); try reading it
      }
    }
    try {
      const { rows } = await pool.query<Row>(sql.topStatementsSql, [opts.topLimit ?? 20]);
      statementsUnavailable = undefined;
      return {
        available: true,
        statements: rows.map((r) => ({
          queryId: String(r.query_id),
          query: String(r.query),
          calls: num(r.calls),
          meanExecMs: num(r.mean_exec_time),
          totalExecMs: num(r.total_exec_time),
          rows: num(r.rows),
        })),
      };
    } catch (err) {
      const reason = `pg_stat_statements is not available: ${(err as Error).message}${createError ? ` (CREATE EXTENSION failed: ${createError})` : ''}`;
      statementsUnavailable = { reason, until: Date.now() + statementsRetryMs };
      return { available: false, reason };
    }
  }

  async function take(): Promise<PgSnapshot> {
    const takenAt = Date.now();
    const [conn, dbs, slow, tbl, db] = await Promise.all([
      pool.query<Row>(sql.connectionsSql),
      pool.query<Row>(sql.databasesSql),
      pool.query<Row>(sql.slowStatementsSql, [slowThresholdMs, opts.slowLimit ?? 50]),
      pool.query<Row>(sql.tablesSql, [tables]),
      pool.query<Row>(sql.currentDatabaseSql),
    ]);
    const byApp = new Map<string, PgSnapshot['connections'][number]>();
    for (const r of conn.rows) {
      const application = String(r.application);
      let c = byApp.get(application);
      if (!c)
        byApp.set(
          application,
          (c = { application, active: 0, idle: 0, idleInTransaction: 0, waitingOnLock: 0, other: 0, total: 0 }),
        );
      const n = num(r.n);
      c.total += n;
      if (r.state === 'active') c.active += n;
      else if (r.state === 'idle') c.idle += n;
      else if (r.state === 'idle in transaction') c.idleInTransaction += n;
      else c.other += n;
      if (r.wait_event_type === 'Lock') c.waitingOnLock += n;
    }
    return {
      takenAt,
      database: String(db.rows[0]?.name),
      connections: [...byApp.values()].sort((a, b) => a.application.localeCompare(b.application)),
      databases: dbs.rows.map((r) => ({
        database: String(r.datname),
        xactCommit: num(r.xact_commit),
        xactRollback: num(r.xact_rollback),
        blksRead: num(r.blks_read),
        blksHit: num(r.blks_hit),
        tupReturned: num(r.tup_returned),
        tupFetched: num(r.tup_fetched),
        deadlocks: num(r.deadlocks),
        tempBytes: num(r.temp_bytes),
      })),
      slowStatements: slow.rows.map((r) => ({
        pid: num(r.pid),
        application: String(r.application),
        durationMs: num(r.duration_ms),
        state: String(r.state),
        waitEventType: str(r.wait_event_type),
        waitEvent: str(r.wait_event),
        query: String(r.query ?? ''),
      })),
      topStatements: await topStatements(),
      tables: tbl.rows.map((r) => ({
        table: String(r.table_name),
        seqScan: num(r.seq_scan),
        seqTupRead: num(r.seq_tup_read),
        idxScan: num(r.idx_scan),
        idxTupFetch: num(r.idx_tup_fetch),
        liveTuples: num(r.n_live_tup),
      })),
    };
  }

  return {
    snapshot() {
      inFlight ??= take().finally(() => (inFlight = undefined));
      return inFlight;
    },
    close: () => pool.end(),
  };
}
