import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { medianRound } from '../loadgen-vs-peer.ts';

const bench = fileURLToPath(new URL('../loadgen-vs-peer.ts', import.meta.url));

// Keeps bench/loadgen-vs-peer.ts from rotting: runs its 2-second smoke mode and checks the shape of the figures
// file. Numbers are the bench's business, not this test's. Two rounds, so the pairing and the pick run too.
it('loadgen-vs-peer --smoke writes a figures file with every field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'loadgen-smoke-'));
  try {
    const out = join(dir, 'figures.json');
    const { stdout } = await promisify(execFile)(process.execPath, [bench, '--smoke', '--rounds', '2', '--out', out], {
      timeout: 60_000,
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
    expect(report.rounds).toBe(2);
    const figures = {
      achievedRps: expect.any(Number),
      requests: expect.any(Number),
      errors: expect.any(Number),
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      cpuSecondsPer1000: expect.any(Number),
    };
    const [rate] = report.results;
    expect(rate.rounds).toHaveLength(2);
    // The rate's figures are its median round's (the lower of two), and that round is one of those measured.
    const { rounds, round, ...picked } = rate;
    expect(round).toBe(medianRound(rounds));
    expect(picked).toMatchObject(rounds[round]);
    for (const r of rounds) expect(Object.keys(r).sort()).toEqual(['hey', 'ours', 'ratios', 'truth']);
    expect(picked).toEqual({
      targetRps: expect.any(Number),
      durationS: expect.any(Number),
      ours: figures,
      hey: figures,
      // The target's own timing of each tool's requests: it saw every request sent.
      truth: {
        ours: { requests: rate.ours.requests, p50Ms: expect.any(Number), p99Ms: expect.any(Number) },
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

it('medianRound picks the middle round by p99 ratio, the lower middle of an even count, unmeasured ones last', () => {
  const rounds = (...p99: (number | null)[]) => p99.map((x) => ({ ratios: { p99: x } }));
  expect(medianRound(rounds(1.4, 0.6, 0.9))).toBe(2);
  expect(medianRound(rounds(0.8, 0.5))).toBe(1);
  expect(medianRound(rounds(null, 0.7, 0.9))).toBe(2);
  expect(medianRound(rounds(0.7))).toBe(0);
});
