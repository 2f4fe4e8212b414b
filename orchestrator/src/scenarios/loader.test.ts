import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtInScenariosDir, loadScenarios } from './loader.ts';

describe('loadScenarios', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scenarios-'));
    const good = await readFile(join(builtInScenariosDir, 'gateway-pool-lowered.yaml'), 'utf8');
    await writeFile(join(dir, 'a-good.yaml'), good);
    // Valid except for one knob deep inside the fix: the whole file must be refused, not half-loaded.
    await writeFile(
      join(dir, 'b-bad.yaml'),
      good.replace('id: gateway-pool-lowered', 'id: bad-one').replace('upstreamPoolSize: 64', 'upstreamPoolSize: 0'),
    );
    await writeFile(join(dir, 'c-dup.yaml'), good);
    await writeFile(join(dir, 'notes.txt'), 'not a scenario');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads the good files and reports each bad one with file, path and reason', async () => {
    const { scenarios, problems } = await loadScenarios(dir);
    expect(scenarios.map((s) => s.id)).toEqual(['gateway-pool-lowered']);
    expect(problems.map((p) => ({ ...p, file: p.file.split('/').at(-1) }))).toEqual([
      {
        file: 'b-bad.yaml',
        path: 'fix.documented.gateway.upstreamPoolSize',
        message: 'gateway.upstreamPoolSize: Too small: expected number to be >=1',
      },
      { file: 'c-dup.yaml', path: 'id', message: 'duplicate scenario id "gateway-pool-lowered"' },
    ]);
  });

  it('namespaces ids of a scenario pack', async () => {
    const { scenarios } = await loadScenarios(dir, 'pack');
    expect(scenarios.map((s) => s.id)).toEqual(['pack/gateway-pool-lowered']);
  });

  it('loads the whole built-in library without a problem', async () => {
    const { scenarios, problems } = await loadScenarios();
    expect(problems).toEqual([]);
    expect(scenarios.map((s) => s.id)).toEqual([
      'analytics-lock',
      'cpu-regression',
      'db-connection-exhaustion',
      'db-slow-query',
      'gateway-pool-lowered',
      'leaky-release',
      'traffic-spike',
      'worker-pool-saturation',
    ]);
    for (const s of scenarios) {
      expect(s.spec.fix.wrong, `${s.id} has a wrong fix`).toBeDefined();
      expect(new Set(s.spec.checkpoints.map((c) => c.stage)), `${s.id} checkpoints`).toEqual(
        new Set(['detect', 'localize', 'diagnose']),
      );
      expect(new Set(s.hints.map((h) => h.kind)), `${s.id} hint kinds`).toEqual(
        new Set(['after', 'signal', 'no-change', 'unrelated-change']),
      );
    }
  });
});
