import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, inject, it } from 'vitest';
import { defaultJourneyWeights } from '../../orchestrator/src/load/plan-schema.ts';
import { copyDatabase } from '../../test-support/sut-harness.ts';

const bench = fileURLToPath(new URL('../sut-throughput.ts', import.meta.url));

// Keeps bench/sut-throughput.ts from rotting: runs its smoke mode (its own SUT, one short low step) and checks the
// shape of the figures file. Numbers are the bench's business, not this test's. The database is a copy of the
// suite's seeded one (--database-url), which spares a second initdb and seeding; the bench's own embedded
// PostgreSQL start is the code global-setup runs too.
it('sut-throughput --smoke writes a figures file with every field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sut-smoke-'));
  const db = await copyDatabase(inject('pgAdminUrl'));
  try {
    const out = join(dir, 'figures.json');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [bench, '--smoke', '--out', out, '--database-url', db.url],
      { timeout: 90_000 },
    );
    expect(stdout).toContain('CPU s/1000 gw/api/inv');

    const report = JSON.parse(await readFile(out, 'utf8'));
    expect(report).toMatchObject({
      bench: 'sut-throughput',
      smoke: true,
      node: expect.any(String),
      cpus: expect.any(Number),
      startedAt: expect.any(String),
    });
    expect(report.mix).toEqual({ browse: 40, search: 20, view: 40, recommendations: 0, checkout: 0 });
    expect(report.steps).toHaveLength(1);
    const journey = { count: expect.any(Number), ok: expect.any(Number) };
    expect(report.steps[0]).toEqual({
      targetRps: expect.any(Number),
      durationS: expect.any(Number),
      offered: expect.any(Number),
      completed: expect.any(Number),
      achievedRps: expect.any(Number),
      okRps: expect.any(Number),
      errors: {
        client: expect.any(Number),
        rate_limited: expect.any(Number),
        server: expect.any(Number),
        timeout: expect.any(Number),
        connection: expect.any(Number),
        dropped: expect.any(Number),
      },
      errorPct: expect.any(Number),
      p50Ms: expect.any(Number),
      p95Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      maxMs: expect.any(Number),
      journeys: { browse: journey, search: journey, view: journey, recommendations: journey, checkout: journey },
      ordersCreated: expect.any(Number),
      cpuSecondsPer1000: { gateway: expect.any(Number), api: expect.any(Number), inventory: expect.any(Number) },
      generatorCpuSecondsPer1000: expect.any(Number),
    });
    // One step of the default journey mix (smoke: 20 req/s): every journey sent, checkout creating orders.
    expect(report.journeyMix.mix).toEqual(defaultJourneyWeights);
    expect(report.journeyMix.steps).toHaveLength(1);
    const [journeyStep] = report.journeyMix.steps;
    expect(journeyStep).toMatchObject({ targetRps: 20, errorPct: expect.any(Number) });
    for (const j of ['browse', 'view', 'recommendations', 'checkout'])
      expect(journeyStep.journeys[j].count, j).toBeGreaterThan(0);
    // The yardstick measured in the same run: wrk on the shop, a bare Node server and a two-hop proxy chain,
    // each answering the catalogue page without an error.
    const wrk = {
      connections: 16,
      durationS: 1,
      rps: expect.any(Number),
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      errors: 0,
    };
    expect(report.peers).toEqual({
      tool: 'wrk',
      path: '/api/products?page=1',
      connections: 16,
      durationS: 1,
      shop: wrk,
      bareNode: wrk,
      twoHopChain: wrk,
      shopShareOfBare: expect.any(Number),
      shopShareOfChain: expect.any(Number),
    });
    // A bare server serves more than a chain of two proxies in front of it, which serves more than the shop.
    expect(report.peers.bareNode.rps).toBeGreaterThan(report.peers.twoHopChain.rps);
    expect(report.peers.shopShareOfChain).toBeLessThan(1);
    expect(stdout).toContain('two-hop Node proxy chain');
  } finally {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
