// Memory under sustained load: the platform as `npm start` runs it, 10 minutes of shop traffic at 300 req/s
// through its gateway plus one lesson run (fault, documented fix, verdict), with the Pss of each process
// (orchestrator, gateway, api, inventory, PostgreSQL with all its backends) sampled every 10 s. From minute 3 to
// minute 10 no process may grow more than 10 %: past its warm-up a process that still grows is leaking.
//
//   npm run bench:soak                      # 10 min at 300 req/s, figures to bench/results/soak.json
//   node bench/soak.ts --smoke              # 20 s at 40 req/s, no run, to a temp file: the bench still works
//   options: --minutes 10 --rps 300 --from-minute 3 --every 10 --scenario gateway-pool-lowered --out FILE
// Bounded (the duration, then SIGINT to the platform), on 127.0.0.1 only, in its own data folder.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createLoadGenerator } from '../orchestrator/src/load/index.ts';
import { loadScenarios } from '../orchestrator/src/scenarios/loader.ts';
import { freePlatformPorts, repoRoot, startPlatformProcess } from './platform-process.ts';
import { type PlatformRole, treeRss } from './proc-tree.ts';
import { measureScenario, type ScenarioFigures } from './scenario-run.ts';

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    rps: { type: 'string' },
    'from-minute': { type: 'string' },
    every: { type: 'string' },
    scenario: { type: 'string', default: 'gateway-pool-lowered' },
    out: { type: 'string' },
  },
});
const smoke = values.smoke;
const minutes = Number(values.minutes ?? (smoke ? 1 / 3 : 10));
const rps = Number(values.rps ?? (smoke ? 40 : 300));
const fromMinute = Number(values['from-minute'] ?? (smoke ? 1 / 6 : 3));
const everyS = Number(values.every ?? (smoke ? 5 : 10));
const out = resolve(values.out ?? (smoke ? join(tmpdir(), 'observastack-soak-smoke.json') : 'bench/results/soak.json'));
/** Largest growth from `fromMinute` to the end that counts as flat. */
const maxGrowth = 0.1;
const roles: PlatformRole[] = ['orchestrator', 'gateway', 'api', 'inventory', 'postgres'];

interface Sample {
  atS: number;
  pssMb: Partial<Record<PlatformRole, number>>;
  totalMb: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Each role's level at `fromMinute` (median of the samples within ±30 s of it) against its level over the last
 * minute (median of those samples), and the growth between them. Medians, so one GC-timed sample moves nothing.
 */
function growth(samples: Sample[], fromS: number, endS: number) {
  const near = samples.filter((s) => Math.abs(s.atS - fromS) <= 30);
  const last = samples.filter((s) => s.atS >= endS - 60);
  const figure = (pick: (s: Sample) => number | undefined) => {
    const a = median(near.map(pick).filter((v): v is number => v !== undefined));
    const b = median(last.map(pick).filter((v): v is number => v !== undefined));
    return { fromMb: r1(a), endMb: r1(b), growthPct: r1(((b - a) / a) * 100), flat: b <= a * (1 + maxGrowth) };
  };
  return {
    perRole: Object.fromEntries(roles.map((r) => [r, figure((s) => s.pssMb[r])])),
    total: figure((s) => s.totalMb),
  };
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'observastack-soak-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to enter the (0700) temp folder.
  await chmod(dataDir, 0o755);
  const loadStart = loadavg();
  const ports = await freePlatformPorts();
  const platform = await startPlatformProcess({
    dataDir: join(dataDir, 'data'),
    ports,
    scenariosDir: join(repoRoot, 'scenarios'),
  });
  const samples: Sample[] = [];
  let run: ScenarioFigures | null = null;
  let shop: ReturnType<ReturnType<typeof createLoadGenerator>['summary']> | null = null;
  try {
    const gen = createLoadGenerator({ baseUrl: `http://127.0.0.1:${ports.OBS_GATEWAY_PORT}`, seed: 11 });
    const durationS = Math.round(minutes * 60);
    gen.start({ phases: [{ pattern: 'constant', rps, durationS }], timeoutMs: 5000 });
    const t0 = performance.now();
    const scenario = (await loadScenarios(join(repoRoot, 'scenarios'))).scenarios.find((s) => s.id === values.scenario);
    if (!scenario) throw new Error(`--scenario ${values.scenario}: no such built-in scenario`);
    // The lesson run starts after a minute of shop traffic and runs beside it (the smoke run has none).
    const runDone = smoke
      ? Promise.resolve()
      : sleep(60_000).then(async () => {
          console.log(`  run of ${scenario.id} started`);
          run = await measureScenario(platform.url, platform.pid, scenario);
          console.log(`  run of ${scenario.id}: ${run.outcome ?? run.error}`);
        });
    for (let next = 0; next <= durationS; next += everyS) {
      const wait = t0 + next * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      const tree = await treeRss(platform.pid);
      const pssMb = Object.fromEntries(Object.entries(tree.pssByRole).map(([r, b]) => [r, r1(b / 2 ** 20)]));
      const totalMb = r1(tree.pssBytes / 2 ** 20);
      samples.push({ atS: next, pssMb, totalMb });
      console.log(
        `  ${String(next).padStart(4)} s  total ${totalMb.toFixed(0).padStart(4)} MB  ${roles.map((r) => `${r} ${pssMb[r]?.toFixed(0) ?? '-'}`).join('  ')}`,
      );
    }
    await gen.stop();
    shop = gen.summary(durationS + 10);
    await runDone;
  } finally {
    const stopped = await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
    const how = `exit ${stopped.code ?? stopped.signal} in ${Math.round(stopped.stopMs)} ms`;
    if (stopped.orphanPids.length || stopped.code !== 0) {
      console.warn(`the platform did not stop cleanly (${how}); outlived it: ${stopped.orphans.join(', ') || 'none'}`);
      console.warn(`its last lines:\n${platform.output().split('\n').slice(-25).join('\n')}`);
    } else console.log(`platform stopped (${how}), no process left`);
  }
  const g = growth(samples, fromMinute * 60, samples.at(-1)?.atS ?? 0);
  const report = {
    bench: 'soak',
    smoke,
    node: process.version,
    cpus: cpus().length,
    loadAvgStart: loadStart,
    loadAvgEnd: loadavg(),
    startedAt: new Date(Date.now() - (samples.at(-1)?.atS ?? 0) * 1000).toISOString(),
    minutes,
    rps,
    fromMinute,
    maxGrowthPct: maxGrowth * 100,
    shop: shop && { offered: shop.count, outcomes: shop.outcomes, latencyMs: shop.latencyMs },
    run,
    growth: g,
    flat: Object.values(g.perRole).every((f) => f.flat || Number.isNaN(f.fromMb)),
    samples,
  };
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nPss from minute ${r1(fromMinute)} to the last minute (flat: at most +${maxGrowth * 100} %):`);
  for (const [role, f] of [...Object.entries(g.perRole), ['tree', g.total] as const])
    console.log(
      `  ${role.padEnd(12)} ${String(f.fromMb).padStart(7)} -> ${String(f.endMb).padStart(7)} MB  ${f.growthPct >= 0 ? '+' : ''}${f.growthPct} %  ${role === 'tree' ? '' : f.flat ? 'flat' : 'GROWS'}`,
    );
  console.log(`written ${out}`);
}

await main();
