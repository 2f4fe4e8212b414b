import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '@observastack/sut-common/db/embedded-postgres.ts';
import { ensureDatabase, migrate } from '@observastack/sut-common/db/migrate.ts';
import { freePort } from '@observastack/sut-common/launcher/free-port.ts';

/**
 * One real PostgreSQL for the whole integration run. Tests get `pgAdminUrl` (superuser, `postgres` db) and
 * `shopDatabaseUrl` (a database migrated and seeded once; tests that break it must restore it or use their own).
 */
export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), 'observastack-test-pg-'));
  const pg = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
  const shopUrl = await ensureDatabase(pg.adminUrl, 'observastack');
  await migrate(shopUrl);
  project.provide('pgAdminUrl', pg.adminUrl);
  project.provide('shopDatabaseUrl', shopUrl);
  return async () => {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    shopDatabaseUrl: string;
  }
}
