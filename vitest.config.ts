import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two projects: `unit` (beside the source, no external process) and `integration`
// (real PostgreSQL, real HTTP between real services, real peers such as Prometheus).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'sut/**/src/**/*.test.ts',
            'orchestrator/src/**/*.test.ts',
            'site/src/**/*.test.ts',
            'scenarios/**/*.test.ts',
            'scripts/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'sut/**/test/**/*.test.ts',
            'orchestrator/test/**/*.test.ts',
            'stack/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'docs/test/**/*.test.ts',
            'test-support/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          // Absolute, so the exit-code guard (test-support/exit-code.test.ts) can run this very config on fixtures
          // under another --root.
          globalSetup: [fileURLToPath(new URL('./test-support/global-setup.ts', import.meta.url))],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Integration suites boot real processes; on a 2-core machine run files one at a time.
          fileParallelism: false,
        },
      },
    ],
  },
});
