import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { migrate } from '../src/db/migrate.ts';

describe('SUT migrations', () => {
  it('seeded the catalogue and 500k stock rows, and a second run applies nothing', async () => {
    const url = inject('shopDatabaseUrl');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const products = await client.query('SELECT count(*)::int AS n FROM shop.products');
      const stock = await client.query('SELECT count(*)::int AS n FROM inventory.stock');
      expect(products.rows[0].n).toBe(2000);
      expect(stock.rows[0].n).toBe(500_000);
    } finally {
      await client.end();
    }
    const again = await migrate(url);
    expect(again.applied).toEqual([]);
    expect(again.skipped).toBeGreaterThanOrEqual(4);
  });
});
