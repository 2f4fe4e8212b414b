import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import pg from 'pg';
import { ensureDatabase, migrate } from '../src/db/migrate.ts';

const repoRoot = join(import.meta.dirname, '../../..');

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

  it('calls beforeApplying once with the pending migrations, and not at all when none is pending', async () => {
    const url = await ensureDatabase(inject('pgAdminUrl'), `migrate_hook_${process.pid}`);
    const dir = mkdtempSync(join(tmpdir(), 'obs-migrations-'));
    try {
      writeFileSync(join(dir, '20260101000100_test_a.sql'), 'CREATE TABLE IF NOT EXISTS public.hook_a (x int);');
      writeFileSync(join(dir, '20260101000200_test_b.sql'), 'CREATE TABLE IF NOT EXISTS public.hook_b (x int);');
      const calls: string[][] = [];
      const hook = { beforeApplying: async (p: string[]) => void calls.push(p) };
      expect((await migrate(url, dir, hook)).applied).toHaveLength(2);
      expect((await migrate(url, dir, hook)).applied).toEqual([]);
      writeFileSync(join(dir, '20260101000300_test_c.sql'), 'CREATE TABLE IF NOT EXISTS public.hook_c (x int);');
      await migrate(url, dir, hook);
      expect(calls).toEqual([
        ['20260101000100_test_a.sql', '20260101000200_test_b.sql'],
        ['20260101000300_test_c.sql'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the migrate command does not wait its seed turn when the database is up to date', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [join(repoRoot, 'sut/db/migrate.ts')], {
      env: { ...process.env, DATABASE_URL: inject('shopDatabaseUrl'), OBS_SEED_DELAY_SECONDS: '600' },
      timeout: 60_000,
    });
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.msg)).toEqual(['migrations applied']);
    expect(lines[0].applied).toEqual([]);
  });
});
