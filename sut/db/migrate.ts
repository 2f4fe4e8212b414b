// One-shot migration runner for stack mode (the compose `migrate` service, Kubernetes init containers):
// applies the SUT's and the orchestrator's migrations to DATABASE_URL, exits 0 on success, 1 on failure.
import { z } from 'zod';
import { parseEnv } from '../common/src/config/env.ts';
import { migrate } from '../common/src/db/migrate.ts';
import { controlMigrationsDir } from '../../orchestrator/src/store/run-store.ts';

const env = parseEnv(z.object({ DATABASE_URL: z.string().min(1).describe('PostgreSQL to migrate.') }));
try {
  const sut = await migrate(env.DATABASE_URL);
  const control = await migrate(env.DATABASE_URL, controlMigrationsDir);
  console.log(JSON.stringify({ level: 'info', msg: 'migrations applied', applied: [...sut.applied, ...control.applied] }));
  process.exit(0);
} catch (err) {
  console.error(JSON.stringify({ level: 'error', msg: 'migration failed', error: (err as Error).message }));
  process.exit(1);
}
