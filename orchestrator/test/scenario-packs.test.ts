import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadScenarios, parseScenario } from '../src/scenarios/loader.ts';
import {
  builtInPacksDir,
  loadPacks,
  parsePackList,
  platformVersion as runningVersion,
  type PackProblem,
} from '../src/scenarios/packs.ts';
import { verifyScenarios } from '../src/verify/verify-scenarios.ts';
import { freshDatabase } from './support/platform-harness.ts';

const examplePack = fileURLToPath(new URL('../../scenarios/packs/example/', import.meta.url));
const platformVersion = (
  JSON.parse(await readFile(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as {
    version: string;
  }
).version;

const manifest = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    name: 'drills',
    version: '1.0.0',
    license: 'MIT',
    platform: '>=0.1.0',
    description: 'Test drills.',
    ...over,
  });

/** A pack folder in `root` with a manifest (text or null for none) and scenario files. */
async function writePack(
  root: string,
  folder: string,
  manifestText: string | null,
  files: Record<string, string>,
): Promise<string> {
  const dir = join(root, folder);
  await mkdir(join(dir, 'scenarios'), { recursive: true });
  if (manifestText !== null) await writeFile(join(dir, 'observastack-pack.json'), manifestText);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, 'scenarios', name), text);
  return dir;
}

/** The example pack's scenario with some fields replaced: a real, otherwise valid scenario. */
async function exampleScenario(replace: [string, string][] = []): Promise<string> {
  let text = await readFile(join(examplePack, 'scenarios', 'retry-storm.yaml'), 'utf8');
  for (const [from, to] of replace) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return text;
}

const problemsFor = (problems: PackProblem[], fragment: string) => problems.filter((p) => p.file.includes(fragment));

describe('scenario packs', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'observastack-packs-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads the example pack shipped in scenarios/packs, ids namespaced, validated like built-in scenarios', async () => {
    const { packs, scenarios, problems } = await loadPacks({});
    expect(runningVersion).toBe(platformVersion);
    expect(problems).toEqual([]);
    expect(packs.map((p) => p.manifest.name)).toContain('observastack-pack-example');
    const storm = scenarios.find((s) => s.id === 'observastack-pack-example/retry-storm');
    expect(storm).toBeDefined();
    expect(storm!.faultConfig).toEqual({ gateway: { upstreamTimeoutMs: 30, retryCount: 3 } });
    expect([...storm!.relevantKnobs].sort()).toEqual(['gateway.retryCount', 'gateway.upstreamTimeoutMs']);
    // The same text through the engine's own parser gives the same resolved scenario, namespace aside.
    const direct = parseScenario(await exampleScenario(), storm!.source, 'observastack-pack-example');
    expect('scenario' in direct && direct.scenario.spec).toEqual(storm!.spec);
    expect(builtInPacksDir).toContain(join('scenarios', 'packs'));
  });

  it('reports a broken pack with file, path and reason and still loads the built-in scenarios and other packs', async () => {
    const dirs = join(root, 'many');
    await writePack(dirs, 'a-good', manifest({ name: 'good' }), { 'storm.yaml': await exampleScenario() });
    await writePack(dirs, 'b-bad-json', '{ "name": "oops", ', { 'storm.yaml': await exampleScenario() });
    await writePack(dirs, 'c-bad-fields', manifest({ name: 'Bad Name', license: '', version: 'latest' }), {
      'storm.yaml': await exampleScenario(),
    });
    await writePack(dirs, 'd-future', manifest({ name: 'future', platform: '>=9.0.0' }), {
      'storm.yaml': await exampleScenario(),
    });
    await writePack(dirs, 'e-unknown-knob', manifest({ name: 'knobs' }), {
      'bad.yaml': await exampleScenario([['retryCount: 3 }', 'retryBudget: 3 }']]),
      'fine.yaml': await exampleScenario([['id: retry-storm', 'id: retry-storm-two']]),
    });
    await writePack(dirs, 'f-code', manifest({ name: 'code' }), {
      'storm.yaml': await exampleScenario(),
      'setup.js': 'process.exit(1)',
    });
    await writePack(dirs, 'g-no-manifest', null, { 'storm.yaml': await exampleScenario() });

    const builtIn = await loadScenarios();
    const { packs, scenarios, problems } = await loadPacks({
      dirs: [dirs],
      platformVersion,
      takenIds: builtIn.scenarios.map((s) => s.id),
    });

    expect(builtIn.scenarios.length).toBeGreaterThan(0);
    expect(packs.map((p) => p.namespace)).toEqual(['good', 'knobs']);
    expect(scenarios.map((s) => s.id)).toEqual(['good/retry-storm', 'knobs/retry-storm-two']);

    expect(problemsFor(problems, 'b-bad-json')).toEqual([
      {
        file: expect.stringContaining(join('b-bad-json', 'observastack-pack.json')),
        path: '(root)',
        reason: expect.stringMatching(/^not valid JSON/),
      },
    ]);
    expect(problemsFor(problems, 'c-bad-fields').map((p) => p.path)).toEqual(['name', 'version', 'license', 'license']);
    expect(problemsFor(problems, 'd-future')).toEqual([
      {
        file: expect.stringContaining('d-future'),
        path: 'platform',
        reason: `pack future@1.0.0 supports ObservaStack >=9.0.0, this is ${platformVersion}`,
      },
    ]);
    const knob = problemsFor(problems, 'e-unknown-knob');
    expect(knob).toHaveLength(1);
    expect(knob[0]).toMatchObject({
      file: expect.stringContaining(join('e-unknown-knob', 'scenarios', 'bad.yaml')),
      path: 'fault.config.gateway.retryBudget',
    });
    expect(knob[0].reason).toMatch(/unknown knob "retryBudget" of gateway/);
    expect(problemsFor(problems, 'f-code')).toEqual([
      {
        file: expect.stringContaining('f-code'),
        path: '(pack)',
        reason: 'packs are data only; refusing a pack with code files: setup.js',
      },
    ]);
    expect(problemsFor(problems, 'g-no-manifest')).toEqual([
      { file: expect.stringContaining('g-no-manifest'), path: '(root)', reason: 'missing observastack-pack.json' },
    ]);
    expect(problems).toHaveLength(1 + 4 + 1 + 1 + 1 + 1);
  });

  it('finds packs listed in OBS_SCENARIO_PACKS by path or installed package name, and reports the ones it cannot find', async () => {
    const project = join(root, 'project');
    const installed = join(project, 'node_modules', '@acme', 'sre-drills');
    await cp(examplePack, installed, { recursive: true });
    const m = JSON.parse(await readFile(join(installed, 'observastack-pack.json'), 'utf8'));
    await writeFile(join(installed, 'observastack-pack.json'), JSON.stringify({ ...m, name: '@acme/sre-drills' }));
    await writeFile(
      join(installed, 'package.json'),
      JSON.stringify({ name: '@acme/sre-drills', version: m.version, license: 'MIT' }),
    );
    const byPath = await writePack(root, 'by-path', manifest({ name: 'local' }), {
      'storm.yaml': await exampleScenario(),
    });

    const { scenarios, problems } = await loadPacks({
      dirs: [],
      packs: parsePackList(`@acme/sre-drills, ${byPath}, not-installed-pack, ./missing-folder`),
      platformVersion,
      resolveFrom: project,
    });
    expect(scenarios.map((s) => s.id)).toEqual(['sre-drills/retry-storm', 'local/retry-storm']);
    expect(problems.map((p) => [p.file, p.path])).toEqual([
      ['not-installed-pack', '(pack)'],
      ['./missing-folder', '(pack)'],
    ]);
    expect(problems[0].reason).toContain('no folder or installed package "not-installed-pack"');
  });

  it('refuses a second pack with the same namespace or a scenario id already taken', async () => {
    const dirs = join(root, 'clash');
    await writePack(dirs, 'one', manifest({ name: 'same' }), { 'storm.yaml': await exampleScenario() });
    await writePack(dirs, 'two', manifest({ name: '@other/same' }), { 'storm.yaml': await exampleScenario() });
    const { scenarios, problems } = await loadPacks({ dirs: [dirs], platformVersion, takenIds: ['same/retry-storm'] });
    expect(scenarios).toEqual([]);
    expect(problems.map((p) => p.reason)).toEqual([
      'scenario id "same/retry-storm" is already taken',
      'another pack already uses the namespace "same"',
    ]);
  });

  // The pack's incident on the real platform, as `npm run scenarios:verify -- --dir …` plays it: the baseline
  // holds, the fault breaches the SLO within 10 s, the wrong fix does not resolve it, the documented fix does.
  it("verifies the example pack's scenario end to end", async () => {
    const databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'orch_scenario_packs');
    const report = await verifyScenarios({ dir: join(examplePack, 'scenarios'), databaseUrl });
    expect(report.problems).toEqual([]);
    expect(report.scenarios.map((s) => ({ id: s.id, failures: s.failures }))).toEqual([
      { id: 'retry-storm', failures: [] },
    ]);
    expect(report.scenarios[0]).toMatchObject({ passed: true, wrongFixHeldOff: true });
    expect(report.passed).toBe(true);
  }, 300_000);
});
