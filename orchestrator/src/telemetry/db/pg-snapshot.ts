import { z } from 'zod';

const count = z.number().int().min(0);

export const pgConnectionsSchema = z.object({
  application: z.string().describe('`application_name` of the connections (the SUT sets it to the service name).'),
  active: count.describe('Running a statement.'),
  idle: count.describe('Open and idle (pooled).'),
  idleInTransaction: count.describe(
    'Inside an open transaction but not running anything: holds locks and a pool slot.',
  ),
  waitingOnLock: count.describe('Active and blocked on a lock (`wait_event_type = Lock`); also counted in `active`.'),
  other: count.describe('Any other state (fastpath, disabled, aborted transaction).'),
  total: count.describe('All client connections of this application.'),
});

export const pgDatabaseStatsSchema = z.object({
  database: z.string().describe('Database name.'),
  xactCommit: count.describe('Committed transactions since the statistics were reset.'),
  xactRollback: count.describe('Rolled back transactions.'),
  blksRead: count.describe('Disk blocks read (not found in shared buffers).'),
  blksHit: count.describe('Blocks found in shared buffers.'),
  tupReturned: count.describe('Rows returned by sequential and index scans (sequential scans inflate it).'),
  tupFetched: count.describe('Rows fetched by index scans.'),
  deadlocks: count.describe('Deadlocks detected.'),
  tempBytes: count.describe('Bytes written to temporary files by queries.'),
});

export const pgSlowStatementSchema = z.object({
  pid: z.number().int().describe('Backend process id.'),
  application: z.string().describe('`application_name` of the connection.'),
  durationMs: z.number().describe('Time since the statement started, milliseconds.'),
  state: z.string().describe('Backend state (`active`).'),
  waitEventType: z.string().nullable().describe('What it waits on, if anything: Lock, IO, LWLock, Client, Timeout...'),
  waitEvent: z.string().nullable().describe('The specific wait event, e.g. `relation`, `transactionid`, `PgSleep`.'),
  query: z.string().describe('Statement text, cut to 500 characters.'),
});

export const pgTopStatementSchema = z.object({
  queryId: z.string().describe('pg_stat_statements query id.'),
  query: z.string().describe('Normalised statement text, cut to 500 characters.'),
  calls: count.describe('Times executed.'),
  meanExecMs: z.number().describe('Mean execution time, milliseconds.'),
  totalExecMs: z.number().describe('Total execution time, milliseconds.'),
  rows: count.describe('Rows returned or affected in total.'),
});

export const pgTableStatsSchema = z.object({
  table: z.string().describe('`schema.table`.'),
  seqScan: count.describe('Sequential scans started on the table; climbing fast when an index is missing.'),
  seqTupRead: count.describe('Rows read by sequential scans.'),
  idxScan: count.describe('Index scans started on the table.'),
  idxTupFetch: count.describe('Rows fetched by index scans.'),
  liveTuples: count.describe('Estimated live rows.'),
});

/** What the DB view of the telemetry hub shows, taken in one round of queries. */
export const pgSnapshotSchema = z.object({
  takenAt: z.number().describe('Epoch milliseconds when the snapshot was taken.'),
  database: z.string().describe('Database the hub is connected to (connections and statements are of this database).'),
  connections: z.array(pgConnectionsSchema).describe('Client connections per application, sorted by application.'),
  databases: z.array(pgDatabaseStatsSchema).describe('Counters of every database, from `pg_stat_database`.'),
  slowStatements: z
    .array(pgSlowStatementSchema)
    .describe('Statements running longer than the threshold (100 ms), longest first.'),
  topStatements: z
    .discriminatedUnion('available', [
      z.object({
        available: z.literal(true),
        statements: z.array(pgTopStatementSchema).describe('By total execution time, largest first.'),
      }),
      z.object({ available: z.literal(false), reason: z.string().describe('Why pg_stat_statements cannot be read.') }),
    ])
    .describe('Top statements from pg_stat_statements, when the extension is available.'),
  tables: z.array(pgTableStatsSchema).describe('Scan counters of the watched tables (`inventory.stock` by default).'),
});
export type PgSnapshot = z.infer<typeof pgSnapshotSchema>;
