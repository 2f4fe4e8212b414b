import pg from 'pg';
import { z } from 'zod';
import { commonEnvShape, parseEnv } from '@observastack/sut-common/config/env.ts';
import { createLogger } from '@observastack/sut-common/logger.ts';

/**
 * The nightly reservations rollup of the analytics team: per-product reserved totals against stock on hand, read
 * from one consistent snapshot of the reservations. It takes a SHARE lock on inventory.reservations for that
 * snapshot and holds it, in one transaction, until it is done.
 *
 * Run: `DATABASE_URL=… node sut/inventory/src/jobs/analytics-rollup.ts`. Exits 0 when done or stopped
 * (SIGTERM, SIGINT: rolled back), 1 when its database work failed (its connection was killed, say).
 */
const env = parseEnv(
  z.object({
    DATABASE_URL: z.string().min(1).describe('PostgreSQL connection string (schema inventory).'),
    OBS_LOG_LEVEL: commonEnvShape.OBS_LOG_LEVEL,
    OBS_JOB_MAX_SECONDS: z.coerce.number().positive().max(86_400).default(1800).describe('How long the rollup runs.'),
  }),
);
const logger = createLogger('inventory', env.OBS_LOG_LEVEL).child({ job: 'analytics-rollup' });
const pauseS = 2;

const topReservedSql = `WITH top AS (
    SELECT product_id, sum(quantity)::int AS reserved_units, count(DISTINCT reservation_id)::int AS reservations
      FROM inventory.reservation_items GROUP BY product_id ORDER BY reserved_units DESC LIMIT 50)
  SELECT t.product_id, t.reserved_units, t.reservations, coalesce(sum(s.quantity), 0)::int AS on_hand
    FROM top t LEFT JOIN inventory.stock s ON s.product_id = t.product_id
   GROUP BY t.product_id, t.reserved_units, t.reservations ORDER BY t.reserved_units DESC`;
const totalsSql = 'SELECT count(*)::int AS reservations, min(created_at) AS oldest FROM inventory.reservations';

let stopSignal: NodeJS.Signals | undefined;
let connectionError: Error | undefined;
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    if (stopSignal) return;
    stopSignal = signal;
    logger.info({ signal }, 'rollup interrupted, rolling back after the current statement');
  });

const client = new pg.Client({ connectionString: env.DATABASE_URL, application_name: 'analytics-rollup' });
// The server ending the session (pg_terminate_backend, a restart) arrives here as well as on the statement in flight.
client.on('error', (err) => {
  connectionError ??= err;
});

class Interrupted extends Error {}
/** Waits, but no longer than until a stop signal or the loss of the connection. */
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    const t0 = Date.now();
    const tick = setInterval(() => {
      if (stopSignal || connectionError || Date.now() - t0 >= ms) {
        clearInterval(tick);
        resolve();
      }
    }, 50);
  });
const query = async <R extends pg.QueryResultRow>(sql: string, values?: unknown[]) => {
  if (stopSignal) throw new Interrupted();
  if (connectionError) throw connectionError;
  return client.query<R>(sql, values);
};

async function rollup(): Promise<number> {
  await client.connect();
  await query('BEGIN');
  await query('LOCK TABLE inventory.reservations IN SHARE MODE'); // a consistent snapshot for the report
  const t0 = Date.now();
  logger.info({ max_seconds: env.OBS_JOB_MAX_SECONDS }, 'rollup started');
  let batch = 0;
  for (;;) {
    const b0 = performance.now();
    const top = await query<{ product_id: number; reserved_units: number }>(topReservedSql);
    const [totals] = (await query<{ reservations: number }>(totalsSql)).rows;
    batch++;
    logger[batch % 15 === 1 ? 'info' : 'debug'](
      {
        batch,
        products: top.rowCount,
        reservations: totals.reservations,
        top_product: top.rows[0]?.product_id ?? null,
        duration_ms: Math.round(performance.now() - b0),
      },
      'rollup batch done',
    );
    const leftS = env.OBS_JOB_MAX_SECONDS - (Date.now() - t0) / 1000;
    if (leftS <= 0) break;
    // It formats and uploads each batch before the next one (here: waits), its transaction idle but open — the
    // session PostgreSQL shows as `idle in transaction`, holding its lock all along.
    await pause(Math.min(pauseS, leftS) * 1000);
  }
  await query('COMMIT');
  return batch;
}

const flush = () => new Promise<void>((resolve) => logger.flush(() => resolve()));
let code = 0;
try {
  const batches = await rollup();
  logger.info({ batches }, 'rollup finished');
} catch (err) {
  if (err instanceof Interrupted) {
    await client.query('ROLLBACK').catch(() => {});
    logger.info({ signal: stopSignal }, 'rollup stopped, transaction rolled back');
  } else {
    const e = connectionError ?? (err as Error & { code?: string });
    logger.error({ err: { message: e.message, code: (e as { code?: string }).code } }, `rollup failed: ${e.message}`);
    code = 1;
  }
}
await client.end().catch(() => {});
await flush();
process.exit(code);
