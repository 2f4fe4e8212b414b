import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const bench = fileURLToPath(new URL('../loadgen-vs-peer.ts', import.meta.url));

// Keeps bench/loadgen-vs-peer.ts from rotting: runs its 2-second smoke mode and checks the shape of the figures
// file. Numbers are the bench's business, not this test's.
it('loadgen-vs-peer --smoke writes a figures file with every field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loadgen-smoke-'));
  try {
    const out = join(dir, 'figures.json');
    const { stdout } = await promisify(execFile)(process.execPath, [bench, '--smoke', '--out', out], {
      timeout: 45_000,
    });
    expect(stdout).toContain('achieved ours/hey');

    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report).toMatchObject({
      bench: 'loadgen-vs-peer',
      smoke: true,
      node: expect.any(String),
      target: expect.any(String),
    });
    expect(report.wrk).toEqual({ maxRps: expect.any(Number), connections: expect.any(Number) });
    expect(report.results).toHaveLength(1);
    const figures = {
      achievedRps: expect.any(Number),
      requests: expect.any(Number),
      errors: expect.any(Number),
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      cpuSecondsPer1000: expect.any(Number),
    };
    expect(report.results[0]).toEqual({
      targetRps: expect.any(Number),
      durationS: expect.any(Number),
      ours: figures,
      hey: figures,
      // The target's own timing of each tool's requests: it saw every request sent.
      truth: {
        ours: { requests: report.results[0].ours.requests, p50Ms: expect.any(Number), p99Ms: expect.any(Number) },
        hey: { requests: expect.any(Number), p50Ms: expect.any(Number), p99Ms: expect.any(Number) },
      },
      ratios: {
        achievedRps: expect.any(Number),
        p50: expect.any(Number),
        p99: expect.any(Number),
        cpuPer1000: expect.any(Number),
      },
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
