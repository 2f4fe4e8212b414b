import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureDatabase, migrate } from '@observastack/sut-common/db/migrate.ts';
import { processesMentioning, processTree, roleOf, treeRss } from '../proc-tree.ts';
import { NOTES_END, NOTES_START } from '../report.ts';
import { benchReportSchema } from '../results-schema.ts';
import { measureSite } from '../site-weight.ts';

const runAll = fileURLToPath(new URL('../run-all.ts', import.meta.url));
const perfDoc = fileURLToPath(new URL('../../docs/performance.md', import.meta.url));

describe('bench building blocks on real inputs', () => {
  it('sums the RSS of a real process tree and finds its processes by command line', async () => {
    const marker = `bench-smoke-${process.pid}-${Date.now()}`;
    // A parent that starts a grandchild; both sleep until killed, both carry the marker in their argv.
    const grandchild = `setTimeout(() => {}, 60000)`;
    const parent = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}, '${marker}'], { stdio: 'ignore' }); process.stdout.write(String(c.pid)); setTimeout(() => {}, 60000)`;
    const child = spawn(process.execPath, ['-e', parent, marker], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const grandPid = Number(await new Promise<string>((r) => child.stdout.setEncoding('utf8').once('data', r)));
      const tree = await processTree(child.pid!);
      expect(tree.map((p) => p.pid).sort()).toEqual([child.pid!, grandPid].sort());
      const rss = await treeRss(child.pid!);
      expect(rss.processes).toBe(2);
      expect(rss.totalBytes).toBeGreaterThan(0);
      expect(Object.values(rss.byComm).reduce((a, b) => a + b, 0)).toBe(rss.totalBytes);
      expect(rss.pssBytes).toBeGreaterThan(0);
      expect(Object.keys(rss.byComm)).toContain('node');
      // Neither is one of the platform's processes: all their Pss is `other`.
      expect(rss.pssByRole).toEqual({ other: rss.pssBytes });
      expect((await processesMentioning(marker)).sort()).toEqual([child.pid!, grandPid].sort());
      process.kill(grandPid, 'SIGKILL');
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await processesMentioning(marker)).toEqual([]);
  });

  it("names each platform process's role from its command line", () => {
    const node = '/usr/bin/node --max-semi-space-size=2 --import /r/sut/common/src/launcher/ts-cache-hooks.mjs';
    expect(roleOf('node', `${node} --import /r/sut/common/src/tracing/register.ts /r/sut/api/src/server.ts`)).toBe(
      'api',
    );
    expect(roleOf('node', `${node} /r/sut/gateway/src/server.ts`)).toBe('gateway');
    expect(roleOf('node', `${node} /r/sut/inventory/src/server.ts`)).toBe('inventory');
    expect(roleOf('node', 'node --import ./x.mjs orchestrator/src/main.ts')).toBe('orchestrator');
    expect(roleOf('postgres', 'postgres: postgres observastack 127.0.0.1(4242) idle')).toBe('postgres');
    expect(roleOf('node', 'node -e 1')).toBe('other');
  });

  it('weighs a lesson page: scripts, islands and their static imports, gzipped; dynamic imports apart', async () => {
    const site = await mkdtemp(join(tmpdir(), 'bench-site-'));
    try {
      const files: Record<string, string> = {
        '_astro/page.js': `import{a}from"./shared.js";console.log(a, "${'page '.repeat(200)}")`,
        '_astro/shared.js': `export const a = "${'shared '.repeat(300)}";`,
        '_astro/Widget.js': `import{a as b}from"./shared.js";const l=()=>import(\`./lazy.js\`);export default function W(){return b+l}`,
        '_astro/client.js': `export default () => "${'client '.repeat(100)}"`,
        '_astro/lazy.js': `import"./lazy-dep.js";export const big = "${'lazy '.repeat(500)}"`,
        '_astro/lazy-dep.js': `export const dep = "${'dep '.repeat(100)}"`,
        '_astro/unused.js': `export const x = "${'unused '.repeat(900)}"`,
        '_astro/site.css': `body{color:red}${'.x{margin:0}'.repeat(100)}`,
        'lessons/one/index.html': `<html><head><link rel="stylesheet" href="/_astro/site.css"><style>p{color:blue}</style>
          <script type="module" src="/_astro/page.js"></script><script type="application/json">{"data":1}</script><script>window.inline=1</script></head>
          <body><astro-island component-url="/_astro/Widget.js" renderer-url="/_astro/client.js"></astro-island></body></html>`,
        'index.html': `<html><script src="/_astro/unused.js"></script></html>`,
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(join(site, path, '..'), { recursive: true });
        await writeFile(join(site, path), text);
      }
      const gz = (p: string) => gzipSync(files[p]).length;
      const w = await measureSite(site);
      expect(w).toMatchObject({ built: true, scope: 'lessons' });
      expect(w.pages).toEqual([
        {
          page: 'lessons/one/index.html',
          jsFiles: 4,
          jsGzipBytes:
            gz('_astro/page.js') +
            gz('_astro/shared.js') +
            gz('_astro/Widget.js') +
            gz('_astro/client.js') +
            gzipSync('window.inline=1').length,
          lazyJsGzipBytes: gz('_astro/lazy.js') + gz('_astro/lazy-dep.js'),
          cssFiles: 1,
          cssGzipBytes: gz('_astro/site.css') + gzipSync('p{color:blue}').length,
          htmlGzipBytes: gz('lessons/one/index.html'),
        },
      ]);
      expect((await measureSite(join(site, 'nope'))).built).toBe(false);
    } finally {
      await rm(site, { recursive: true, force: true });
    }
  });
});

describe('npm run bench -- --smoke', () => {
  let databaseUrl: string;
  let outDir: string;

  // Its own database, copied from the integration run's migrated one when nobody holds it open (a second),
  // else migrated and seeded afresh; the smoke run then skips embedded PostgreSQL's first-start work.
  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    try {
      await admin.query('DROP DATABASE IF EXISTS bench_smoke WITH (FORCE)');
      const template = new URL(inject('shopDatabaseUrl')).pathname.slice(1);
      await admin.query(`CREATE DATABASE bench_smoke TEMPLATE ${template}`).catch(() => {});
    } finally {
      await admin.end();
    }
    databaseUrl = await ensureDatabase(inject('pgAdminUrl'), 'bench_smoke');
    await migrate(databaseUrl);
  });

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS bench_smoke WITH (FORCE)').finally(() => admin.end());
  });

  it('runs every bench, prints the table and writes the results file and the doc (not the real doc)', async () => {
    const docBefore = existsSync(perfDoc) ? (await stat(perfDoc)).mtimeMs : null;
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        [runAll, '--smoke', '--out-dir', outDir, '--database-url', databaseUrl],
        { timeout: 200_000, maxBuffer: 8 << 20 },
        (err, out, errOut) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout: `${out}${errOut}` }),
      );
    });
    expect(code, stdout.slice(-4000)).toBe(0);
    expect(stdout).toMatch(/figure\s+\| measured\s+\| target\s+\| met/);

    const dated = (await readdir(outDir)).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f));
    expect(dated).toHaveLength(1);
    const report = benchReportSchema.parse(JSON.parse(await readFile(join(outDir, dated[0]), 'utf8')));
    expect(report.smoke).toBe(true);
    expect(report.errors).toEqual([]);
    const ids = report.rows.map((r) => r.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'cold-start-existing',
        'cold-start-fresh',
        'memory-idle',
        'memory-scenario',
        'sut-capacity',
        'sut-journey-mix',
        'loadgen-truth',
        'loadgen-overhead',
        'time-to-symptom:bench-quick-shed',
        'time-to-verdict:bench-quick-shed',
        'push-latency',
        'hub-memory',
        'hub-query',
        'site-weight',
      ]),
    );
    // Every figure was measured (the site only if it is built); numbers are the bench's business, not this test's.
    const unmeasured = report.rows.filter((r) => r.value === 'not measured').map((r) => r.id);
    expect(unmeasured).toEqual(
      existsSync(fileURLToPath(new URL('../../dist/site', import.meta.url))) ? [] : ['site-weight'],
    );
    const session = report.details.session as {
      boots: { stop: { orphanPids: number[] } }[];
      scenarios: { outcome: string }[];
      push: { samples: number };
    };
    expect(session.boots.map((b) => b.stop.orphanPids)).toEqual([[], []]);
    expect(session.scenarios.map((s) => s.outcome)).toEqual(['resolved']);
    expect(session.push.samples).toBeGreaterThan(0);

    const doc = await readFile(join(outDir, 'performance.md'), 'utf8');
    expect(doc).toContain('a smoke run: its numbers mean nothing');
    for (const r of report.rows) expect(doc).toContain(`| ${r.figure} |`);
    expect(doc.indexOf(NOTES_START)).toBeLessThan(doc.indexOf(NOTES_END));
    expect(existsSync(perfDoc) ? (await stat(perfDoc)).mtimeMs : null).toBe(docBefore);
  }, 240_000);
});

describe('npm run bench:soak -- --smoke', () => {
  it("samples each platform process's Pss under shop traffic and judges its growth", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-soak-'));
    try {
      const out = join(dir, 'soak.json');
      const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        execFile(
          process.execPath,
          [fileURLToPath(new URL('../soak.ts', import.meta.url)), '--smoke', '--out', out],
          { timeout: 150_000, maxBuffer: 8 << 20 },
          (err, o, e) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout: `${o}${e}` }),
        );
      });
      expect(code, stdout.slice(-4000)).toBe(0);
      const report = JSON.parse(await readFile(out, 'utf8')) as {
        samples: { atS: number; pssMb: Record<string, number>; totalMb: number }[];
        growth: { perRole: Record<string, { fromMb: number; endMb: number; growthPct: number; flat: boolean }> };
        shop: { offered: number; outcomes: { ok: number } };
      };
      expect(report.samples.length).toBeGreaterThanOrEqual(4);
      const roles = ['orchestrator', 'gateway', 'api', 'inventory', 'postgres'];
      for (const s of report.samples)
        for (const r of roles) expect(s.pssMb[r], `${r} at ${s.atS} s`).toBeGreaterThan(0);
      expect(Object.keys(report.growth.perRole).sort()).toEqual([...roles].sort());
      for (const f of Object.values(report.growth.perRole)) expect(typeof f.flat).toBe('boolean');
      expect(report.shop.outcomes.ok).toBeGreaterThan(0);
      expect(stdout).toMatch(/orchestrator +[\d.]+ -> +[\d.]+ MB/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
