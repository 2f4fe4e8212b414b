// One-shot migration runner for stack mode (the compose `migrate` service, Kubernetes init containers):
// applies the shop's migrations to DATABASE_URL, exits 0 on success, 1 on failure. The orchestrator applies
// its own (control schema) migrations when it starts, in both modes: the shop knows nothing of the platform.
import { z } from 'zod';
import { parseEnv } from '../common/src/config/env.ts';
import { migrate } from '../common/src/db/migrate.ts';

const env = parseEnv(
  z.object({
    DATABASE_URL: z.string().min(1).describe('PostgreSQL to migrate.'),
    OBS_SEED_DELAY_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(0)
      .describe(
        "Wait this long before migrating a database that needs it (a workshop's learners seed their 500k stock rows in waves, not all at once); an up-to-date database does not wait.",
      ),
  }),
);
try {
  const sut = await migrate(env.DATABASE_URL, undefined, {
    beforeApplying: async (pending) => {
      if (env.OBS_SEED_DELAY_SECONDS === 0) return;
      const seconds = env.OBS_SEED_DELAY_SECONDS;
      console.log(
        JSON.stringify({
          level: 'info',
          msg: 'waiting for this database to take its turn',
          seconds,
          pending: pending.length,
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    },
  });
  console.log(JSON.stringify({ level: 'info', msg: 'migrations applied', applied: sut.applied }));
  process.exit(0);
} catch (err) {
  console.error(JSON.stringify({ level: 'error', msg: 'migration failed', error: (err as Error).message }));
  process.exit(1);
}
