import { afterAll, describe, expect, inject, it } from 'vitest';
import { DbPool, statement } from '../src/db/pool.ts';
import { createServiceMetrics } from '../src/metrics.ts';

const search = `SELECT id, name FROM shop.products
  WHERE $1::text IS NULL OR name ILIKE '%' || $1 || '%'
  ORDER BY id LIMIT $2 OFFSET $3`;

// One connection, so every statement below runs in the session whose pg_prepared_statements is read.
const db = new DbPool({
  url: inject('shopDatabaseUrl'),
  service: 'statements-test',
  max: 1,
  metrics: createServiceMetrics('statements-test'),
});
afterAll(() => db.close());

describe('DB statements', () => {
  it('are prepared once per connection and then only bound and run, the same name for the same text', async () => {
    const terms = ['lamp', 'kettle', 'trail', 'pro', 'jacket', 'bottle', 'eco'];
    for (const term of terms) expect((await db.query('product_list', search, [term, 20, 0])).length).toBeGreaterThan(0);
    await db.transaction(async (tx) => void (await tx.query('product_list', search, [null, 20, 0])));
    const prepared = await db.query<{ statement: string; runs: string }>(
      'prepared',
      'SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE statement = $1',
      [search],
    );
    // Seven calls and one in a transaction: one prepared statement, run eight times (bigint: pg returns a string).
    expect(prepared).toEqual([{ statement: search, runs: '8' }]);
    expect(statement(search, [1]).name).toBe(statement(search, [2]).name);
    expect(statement('SELECT $1::int', [1]).name).not.toBe(statement(search, [1]).name);
  });

  it('leaves a statement without parameters a simple query (SET LOCAL cannot be prepared with them)', () => {
    expect(statement("SET LOCAL lock_timeout = '2s'")).toEqual({ text: "SET LOCAL lock_timeout = '2s'" });
    expect(statement('SELECT 1', [])).toEqual({ text: 'SELECT 1' });
  });
});
