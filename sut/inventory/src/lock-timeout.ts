import type { QueryResultRow } from 'pg';
import { HttpError } from '@observastack/sut-common/errors.ts';
import type { Tx } from '@observastack/sut-common/db/pool.ts';
import type { Logger } from '@observastack/sut-common/logger.ts';

/** A checkout never waits longer than this for a lock: it answers 503 rather than queue behind a long transaction. */
export const checkoutLockTimeoutS = 1;

/** PostgreSQL's SQLSTATE for `lock_not_available`, raised when `lock_timeout` expires. */
const lockNotAvailable = '55P03';

/** The table a write statement targets (`INSERT INTO x`, `UPDATE x`, `DELETE FROM x`), for the error message. */
const targetTable = (sql: string) => /\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+([\w.]+)/i.exec(sql)?.[1] ?? 'a table';

/**
 * Sets `lock_timeout` for the rest of a checkout transaction and returns the transaction with its lock waits
 * bounded: a statement that waited the whole timeout for a lock fails as a 503 `lock_timeout` naming the table,
 * and a warn line carries the statement (the other transaction is then found in pg_stat_activity / pg_locks).
 */
export async function boundLockWaits(tx: Tx, logger: Logger): Promise<Tx> {
  await tx.query('set_lock_timeout', `SET LOCAL lock_timeout = '${checkoutLockTimeoutS}s'`);
  return {
    query: async <R extends QueryResultRow = QueryResultRow>(operation: string, text: string, values?: unknown[]) => {
      try {
        return await tx.query<R>(operation, text, values);
      } catch (err) {
        if ((err as { code?: unknown }).code !== lockNotAvailable) throw err;
        const table = targetTable(text);
        const statement = text.replace(/\s+/g, ' ');
        logger.warn({ operation, statement, lock_timeout_s: checkoutLockTimeoutS, table }, 'lock wait timed out');
        throw new HttpError(
          `waited ${checkoutLockTimeoutS} s for a lock on ${table} and gave up: another transaction holds a conflicting lock`,
          { code: 'lock_timeout', status: 503, cause: err },
        );
      }
    },
  };
}
