/**
 * The hub's own statements. Each carries a marker comment right after SELECT (pg_stat_statements drops a
 * leading comment but keeps one inside the statement), so its own load is recognisable in pg_stat_activity and
 * pg_stat_statements and left out of the slow and top statements it reports.
 */
export const marker = '/* observastack-telemetry */';

export const connectionsSql = `SELECT ${marker} coalesce(application_name, '') AS application, state, wait_event_type, count(*)::int AS n
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()
GROUP BY 1, 2, 3`;

export const databasesSql = `SELECT ${marker} datname, xact_commit, xact_rollback, blks_read, blks_hit, tup_returned, tup_fetched, deadlocks, temp_bytes
FROM pg_stat_database
WHERE datname IS NOT NULL AND datname NOT IN ('template0', 'template1')
ORDER BY datname`;

/** $1: threshold in milliseconds, $2: row limit. */
export const slowStatementsSql = `SELECT ${marker} pid, coalesce(application_name, '') AS application,
  extract(epoch FROM clock_timestamp() - query_start) * 1000 AS duration_ms,
  state, wait_event_type, wait_event, left(query, 500) AS query
FROM pg_stat_activity
WHERE state = 'active' AND backend_type = 'client backend' AND datname = current_database()
  AND pid <> pg_backend_pid() AND query NOT LIKE '%${marker}%'
  AND query_start < clock_timestamp() - make_interval(secs => $1::float8 / 1000)
ORDER BY duration_ms DESC
LIMIT $2`;

export const createStatementsExtensionSql = 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements';

/** $1: row limit. */
export const topStatementsSql = `SELECT ${marker} queryid::text AS query_id, left(query, 500) AS query, calls, mean_exec_time, total_exec_time, rows
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT LIKE '%${marker}%' AND query NOT LIKE 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements%'
ORDER BY total_exec_time DESC
LIMIT $1`;

/** $1: `schema.table` names. */
export const tablesSql = `SELECT ${marker} schemaname || '.' || relname AS table_name, seq_scan, seq_tup_read,
  coalesce(idx_scan, 0) AS idx_scan, coalesce(idx_tup_fetch, 0) AS idx_tup_fetch, n_live_tup
FROM pg_stat_user_tables
WHERE schemaname || '.' || relname = ANY($1::text[])
ORDER BY 1`;

export const currentDatabaseSql = `SELECT ${marker} current_database() AS name`;
