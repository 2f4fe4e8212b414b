import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import pg from 'pg';

/** Default folder of the SUT's timestamped migrations. */
export const sutMigrationsDir = fileURLToPath(new URL('../../../db/migrations/', import.meta.url));

export interface MigrationResult {
  applied: string[];
  skipped: number;
}

export interface MigrateOptions {
  /** Awaited before the first pending migration is applied (not at all when none is pending). */
  beforeApplying?: (pending: string[]) => Promise<void>;
}

/**
 * Applies `<timestamp>_<owner>_<name>.sql` files in name order, each once, each in its own transaction,
 * recorded in `public.schema_migrations`. An advisory lock keeps two starters from racing.
 */
export async function migrate(
  databaseUrl: string,
  dir: string = sutMigrationsDir,
  o: MigrateOptions = {},
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(727274)');
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM public.schema_migrations')).rows.map((r) => r.name),
    );
    const files = (await readdir(dir)).filter((f) => /^\d{14}_.+\.sql$/.test(f)).sort();
    const pending = files.filter((f) => !done.has(f));
    if (pending.length > 0) await o.beforeApplying?.(pending);
    const applied: string[] = [];
    for (const file of pending) {
      const sql = await readFile(join(dir, file), 'utf8');
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query('INSERT INTO public.schema_migrations (name) VALUES ($1)', [file]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
    }
    return { applied, skipped: files.length - applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock(727274)').catch(() => {});
    await client.end();
  }
}

/** Creates `name` (when missing) on the server of `adminUrl` and returns its connection string. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid database name: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
