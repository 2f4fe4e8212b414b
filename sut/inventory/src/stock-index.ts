import pg from 'pg';

export const stockIndexName = 'stock_product_id_idx';

/**
 * Makes the stock lookup index exist or not, with real DDL on its own connection (CONCURRENTLY cannot run in
 * a transaction). Recreating it on 500k rows takes a moment; lookups keep working meanwhile.
 */
export async function setStockIndex(databaseUrl: string, want: 'present' | 'dropped'): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'inventory-ddl' });
  await client.connect();
  try {
    if (want === 'dropped') {
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS inventory.${stockIndexName}`);
    } else {
      // A previous interrupted CREATE INDEX CONCURRENTLY leaves an invalid index: drop it first.
      const invalid = await client.query(
        `SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'inventory' AND c.relname = $1 AND NOT i.indisvalid`,
        [stockIndexName],
      );
      if (invalid.rowCount) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS inventory.${stockIndexName}`);
      await client.query(`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${stockIndexName} ON inventory.stock (product_id)`);
    }
    await client.query('ANALYZE inventory.stock');
  } finally {
    await client.end();
  }
}

export async function stockIndexPresent(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'inventory-ddl' });
  await client.connect();
  try {
    const r = await client.query(`SELECT 1 FROM pg_indexes WHERE schemaname = 'inventory' AND indexname = $1`, [
      stockIndexName,
    ]);
    return (r.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
