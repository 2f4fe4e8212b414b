// One-shot migration runner for stack mode (the compose `migrate` service, Kubernetes init containers):
// applies the shop's migrations to DATABASE_URL, exits 0 on success, 1 on failure. The orchestrator applies
// its own (control schema) migrations when it starts, in both modes: the shop knows nothing of the platform.
import { z } from 'zod';
import { parseEnv } from '../common/src/config/env.ts';
import { migrate } from '../common/src/db/migrate.ts';

const env = parseEnv(z.object({ DATABASE_URL: z.string().min(1).describe('PostgreSQL to migrate.') }));
try {
  const sut = await migrate(env.DATABASE_URL);
  console.log(JSON.stringify({ level: 'info', msg: 'migrations applied', applied: sut.applied }));
  process.exit(0);
} catch (err) {
  console.error(JSON.stringify({ level: 'error', msg: 'migration failed', error: (err as Error).message }));
  process.exit(1);
}
