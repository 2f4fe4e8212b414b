// `npm run bench`: every benchmark, bounded in time (~5 minutes), a table on the console, the raw figures in
// bench/results/<date>.json and the table, machine and how-to in docs/performance.md.
//
//   node bench/run-all.ts                      # the full suite
//   node bench/run-all.ts --smoke              # seconds-scale loads; writes to a temp folder, never the docs
//   options: --only site,session,hub,loadgen,sut   --out-dir DIR   --doc FILE   --database-url URL (skip embedded
//            PostgreSQL: the smoke test uses it)   --scenarios-dir DIR   --scenarios id,id (run these first)
//            --site-dir DIR
// Exit code 1 only when a step could not be measured at all; a missed target is reported, never an error.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadScenarios } from '../orchestrator/src/scenarios/loader.ts';
import { benchHub, type HubFigures } from './hub.ts';
import { figureRows } from './figures.ts';
import {
  readScenariosVerify,
  runChildBench,
  summarizeLoadgen,
  summarizeSut,
  type LoadgenSummary,
  type SutCapacity,
} from './peers.ts';
import { repoRoot } from './platform-process.ts';
import { runPlatformSession, type SessionFigures } from './platform-session.ts';
import { consoleTable, existingNotes, machine, markdown } from './report.ts';
import { benchReportSchema, type BenchReport } from './results-schema.ts';
import { measureSite, type SiteWeight } from './site-weight.ts';

const steps = ['site', 'session', 'hub', 'loadgen', 'sut'] as const;
type Step = (typeof steps)[number];

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    'out-dir': { type: 'string' },
    doc: { type: 'string' },
    'database-url': { type: 'string' },
    'scenarios-dir': { type: 'string' },
    scenarios: { type: 'string' },
    'site-dir': { type: 'string' },
  },
});
const smoke = values.smoke;
const only = new Set((values.only ?? steps.join(',')).split(',').map((x) => x.trim()));
for (const s of only)
  if (!steps.includes(s as Step)) throw new Error(`--only: unknown step "${s}"; steps are ${steps.join(', ')}`);
const outDir = resolve(
  values['out-dir'] ?? (smoke ? join(tmpdir(), 'observastack-bench-smoke') : join(repoRoot, 'bench/results')),
);
const docPath = resolve(values.doc ?? (smoke ? join(outDir, 'performance.md') : join(repoRoot, 'docs/performance.md')));
const databaseUrl = values['database-url'];
const log = (line: string) => console.log(line);

const loadAvgStart = loadavg();
const t0 = performance.now();
const errors: { step: string; message: string }[] = [];
const attempt = async <T>(step: Step, label: string, run: () => Promise<T>): Promise<T | null> => {
  if (!only.has(step)) return null;
  log(`\n== ${label}`);
  const s0 = performance.now();
  try {
    return await run();
  } catch (err) {
    errors.push({ step, message: (err as Error).message });
    log(`  failed: ${(err as Error).message.split('\n')[0]}`);
    return null;
  } finally {
    log(`  (${((performance.now() - s0) / 1000).toFixed(1)} s)`);
  }
};

await mkdir(outDir, { recursive: true });

const site: SiteWeight | null = await attempt('site', 'site weight', () =>
  measureSite(resolve(values['site-dir'] ?? join(repoRoot, 'dist/site'))),
);

const scenariosDir = resolve(
  values['scenarios-dir'] ?? join(repoRoot, smoke ? 'bench/fixtures/scenarios' : 'scenarios'),
);
const session: SessionFigures | null = await attempt(
  'session',
  'platform: cold start, memory, scenarios, push latency',
  async () => {
    const f = await runPlatformSession({
      scenariosDir,
      // The beginner scenario first: it is the one a new learner meets; others while the budget lasts.
      first: (values.scenarios ?? 'gateway-pool-lowered').split(','),
      scenarioBudgetS: smoke ? 0 : 60,
      idleSeconds: smoke ? 1 : 5,
      // The services close an idle database connection after 10 s and an idle recommendation thread after 5 s.
      settleSeconds: smoke ? 0 : 11,
      pushSamples: smoke ? 8 : 50,
      databaseUrl,
      log,
    });
    for (const e of f.errors) errors.push({ step: `session: ${e.step}`, message: e.message });
    return f;
  },
);

const hub: HubFigures | null = await attempt('hub', 'telemetry hub at full retention', async () => {
  if (!session?.series.length)
    throw new Error('no series captured from a live platform (the session step did not run or failed)');
  // The smoke run keeps the real series but one minute of samples.
  const h = benchHub(session.series, { retentionS: smoke ? 60 : 900, repeats: smoke ? 1 : 3 });
  log(
    `  ${h.series} series, store ${(h.storeBytes / 2 ** 20).toFixed(1)} MB; panel p50 ${h.step5.p50Ms?.toFixed(1)} ms at step 5 s`,
  );
  return h;
});

const loadgen: { summary: LoadgenSummary; raw: unknown } | null = await attempt(
  'loadgen',
  'load generator vs hey (bench/loadgen-vs-peer.ts)',
  async () => {
    const raw = await runChildBench(
      'loadgen-vs-peer.ts',
      smoke ? ['--smoke'] : [],
      join(outDir, 'loadgen-vs-peer.json'),
      smoke ? 60_000 : 480_000, // 50 s warm-up, three rounds of 3 rates x (2 + 10 + 10 s), wrk: ~270 s
      log,
    );
    return { summary: summarizeLoadgen(raw), raw };
  },
);

const sut: { summary: SutCapacity; raw: unknown } | null = await attempt(
  'sut',
  'SUT capacity (bench/sut-throughput.ts)',
  async () => {
    const args = [...(smoke ? ['--smoke'] : []), ...(databaseUrl ? ['--database-url', databaseUrl] : [])];
    const raw = await runChildBench(
      'sut-throughput.ts',
      args,
      join(outDir, 'sut-throughput.json'),
      smoke ? 90_000 : 150_000,
      log,
    );
    return { summary: summarizeSut(raw), raw };
  },
);

const scenariosVerify = smoke ? null : await readScenariosVerify();
const holdSeconds = Object.fromEntries(
  (await loadScenarios(scenariosDir).catch(() => ({ scenarios: [] }))).scenarios.map((s) => [
    s.id,
    s.spec.slo.holdSeconds,
  ]),
);
const rows = figureRows({
  site,
  session,
  hub,
  loadgen: loadgen?.summary ?? null,
  sut: sut?.summary ?? null,
  verify: scenariosVerify,
  holdSeconds,
});
const generatedAt = new Date().toISOString();
const report: BenchReport = benchReportSchema.parse({
  bench: 'all',
  smoke,
  generatedAt,
  durationS: (performance.now() - t0) / 1000,
  machine: machine(loadAvgStart),
  rows,
  // The live series' label sets are only an input of the hub bench; their count is kept in the hub figures.
  details: {
    site,
    session: session && { ...session, series: undefined, seriesCount: session.series.length },
    hub,
    loadgen,
    sut,
    scenariosVerify,
  },
  errors,
});
const resultsFile = join(outDir, `${generatedAt.slice(0, 10)}.json`);
await writeFile(resultsFile, `${JSON.stringify(report, null, 2)}\n`);
await mkdir(resolve(docPath, '..'), { recursive: true });
await writeFile(docPath, markdown(report, relative(repoRoot, resultsFile), await existingNotes(docPath)));

log(`\n${consoleTable(rows)}\n`);
log(
  `${errors.length ? `${errors.length} step(s) could not be measured: ${errors.map((e) => e.step).join(', ')}\n` : ''}written ${resultsFile}\nwritten ${docPath}\nin ${report.durationS.toFixed(0)} s`,
);
process.exitCode = errors.length ? 1 : 0;
