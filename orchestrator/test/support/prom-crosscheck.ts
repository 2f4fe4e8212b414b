/**
 * Cross-checks the embedded hub against a real Prometheus (Debian's /usr/bin/prometheus) scraping the same targets.
 * Reusable: point `startPrometheus` at any targets (SUT services, the catalog's panels) and compare expressions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { MatrixData } from '../../src/telemetry/promql/index.ts';
import { freePort } from '@observastack/sut-common/launcher/free-port.ts';
export { freePort };

export interface PromTarget {
  job: string;
  url: string;
}

export interface RealPrometheus {
  url: string;
  queryRange(expr: string, start: number, end: number, step: number): Promise<MatrixData>;
  /** Kills the process (SIGTERM, then SIGKILL after 5 s) and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
  /** Everything Prometheus printed, for failure messages. */
  log(): string;
  /** Resolves once every configured target has been scraped successfully (Prometheus delays first scrapes). */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  /** The `data.alerts` of /api/v1/alerts: pending and firing alerts of the loaded rule files. */
  alerts(): Promise<{ labels: Record<string, string>; state: string; activeAt: string; value: string }[]>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

export interface StartPrometheusOptions {
  scrapeIntervalSeconds?: number;
  binary?: string;
  /** Absolute paths of rule files to load (`rule_files`), evaluated every scrape interval unless a group sets its own. */
  ruleFiles?: string[];
}

export async function startPrometheus(
  targets: PromTarget[],
  options: StartPrometheusOptions = {},
): Promise<RealPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'observastack-prom-'));
  const port = await freePort();
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const config = {
    global: {
      scrape_interval: interval,
      scrape_timeout: `${Math.round((options.scrapeIntervalSeconds ?? 1) * 800)}ms`,
      evaluation_interval: interval,
    },
    ...(options.ruleFiles?.length ? { rule_files: options.ruleFiles } : {}),
    scrape_configs: targets.map((t) => {
      const u = new URL(t.url);
      return {
        job_name: t.job,
        metrics_path: u.pathname,
        scheme: u.protocol.replace(':', ''),
        static_configs: [{ targets: [u.host] }],
      };
    }),
  };
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  let output = '';
  const proc = spawn(
    options.binary ?? '/usr/bin/prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      // Keeps the exemplars OpenMetrics targets attach (the SUT's latency buckets), as the stack's Prometheus does.
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.add(proc);
  proc.stdout?.on('data', (d) => {
    output += d;
  });
  proc.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      running.delete(proc);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`prometheus exited with ${proc.exitCode}:\n${output}`);
      try {
        if ((await fetch(`${url}/-/ready`)).ok) break;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`prometheus not ready after 30 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    stop,
    log: () => output,
    async waitForTargetsUp(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up == 1')}`)).json()) as {
          data: { result: unknown[] };
        };
        if (body.data.result.length >= targets.length) return;
        if (Date.now() > deadline) throw new Error(`targets not up after ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async alerts() {
      const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
        data: { alerts: Awaited<ReturnType<RealPrometheus['alerts']>> };
      };
      return body.data.alerts;
    },
    async queryRange(expr, start, end, step) {
      const qs = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
      const body = (await (await fetch(`${url}/api/v1/query_range?${qs}`)).json()) as {
        status: string;
        data: MatrixData;
        error?: string;
      };
      if (body.status !== 'success') throw new Error(`prometheus rejected ${expr}: ${body.error}`);
      return body.data;
    },
  };
}

export interface Expectation {
  expr: string;
  /** Allowed relative difference (default 0.05). */
  relative?: number;
  /** Allowed absolute difference, for small integers such as changes() (default 0). */
  absolute?: number;
}

export interface Comparison {
  expr: string;
  /** Points present on both sides and compared. */
  compared: number;
  mismatches: { metric: string; t: number; prometheus: string; hub: string }[];
  /** Series keys only one side returned. */
  onlyInPrometheus: string[];
  onlyInHub: string[];
  /** Largest relative difference seen among compared points (0 when identical). */
  maxRelativeDiff: number;
}

const key = (m: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b))));

function close(a: string, b: string, relative: number, absolute: number): boolean {
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (x === y) return true;
  const diff = Math.abs(x - y);
  return diff <= absolute || diff <= relative * Math.max(Math.abs(x), Math.abs(y));
}

/** Compares two query_range answers point by point at the timestamps both have. */
export function compareMatrices(e: Expectation, prometheus: MatrixData, hub: MatrixData): Comparison {
  const relative = e.relative ?? 0.05;
  const absolute = e.absolute ?? 0;
  const p = new Map(prometheus.result.map((r) => [key(r.metric), r]));
  const h = new Map(hub.result.map((r) => [key(r.metric), r]));
  const out: Comparison = {
    expr: e.expr,
    compared: 0,
    mismatches: [],
    maxRelativeDiff: 0,
    onlyInPrometheus: [...p.keys()].filter((k) => !h.has(k)),
    onlyInHub: [...h.keys()].filter((k) => !p.has(k)),
  };
  for (const [k, pr] of p) {
    const hr = h.get(k);
    if (!hr) continue;
    const hv = new Map(hr.values.map(([t, v]) => [t, v]));
    for (const [t, pv] of pr.values) {
      const v = hv.get(t);
      if (v === undefined) continue;
      out.compared++;
      const [x, y] = [Number(pv), Number(v)];
      if (x !== y && Number.isFinite(x) && Number.isFinite(y)) {
        out.maxRelativeDiff = Math.max(out.maxRelativeDiff, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
      }
      if (!close(pv, v, relative, absolute)) out.mismatches.push({ metric: k, t, prometheus: pv, hub: v });
    }
  }
  return out;
}

/** Queries both over the same range at the same timestamps and compares every expression. */
export async function crossCheck(
  prometheus: RealPrometheus,
  hub: { queryRange(expr: string, start: number, end: number, step: number): MatrixData },
  expectations: Expectation[],
  range: { start: number; end: number; step: number },
): Promise<Comparison[]> {
  const out: Comparison[] = [];
  for (const e of expectations) {
    const prom = await prometheus.queryRange(e.expr, range.start, range.end, range.step);
    out.push(compareMatrices(e, prom, hub.queryRange(e.expr, range.start, range.end, range.step)));
  }
  return out;
}

export interface AlignedTargets {
  /** The same jobs, each at a proxy URL for one scraper that serves the latest snapshot of its target. */
  targetsFor(scraper: string): PromTarget[];
  /**
   * True when, for every job, `a` and `b` received the same snapshots within (fromMs, toMs]: at a point whose
   * window this holds for, both engines computed from the same samples. Where one of them missed a snapshot (a
   * scrape that timed out, or a late scrape that fell into the next second, on a busy machine) the values can
   * legitimately differ: a missed first or last sample moves rate()'s extrapolation, a missed middle one can hide
   * a series' birth (its first increment).
   */
  sameSamples(a: string, b: string, fromMs: number, toMs: number, jobs?: string[]): boolean;
  /**
   * Weaker: the first and the last snapshot within (fromMs, toMs] are the same for both. Enough for series that
   * exist from the start (no birth to miss): rate() and increase() read only a window's first and last samples.
   */
  sameEdges(a: string, b: string, fromMs: number, toMs: number, jobs?: string[]): boolean;
  /**
   * Takes the first snapshot and starts the snapshot timer. Until then every scrape gets an empty exposition (the
   * target is up, with no samples), so both scrapers' first samples are the same snapshot, whichever of them
   * started first. Returns the moment (ms).
   */
  open(): number;
  close(): Promise<void>;
}

/**
 * Puts a snapshot proxy in front of each target: once open(), it takes a snapshot of every target every 2 s
 * (`snapshotEveryMs`), each sample stamped with the moment the snapshot was taken (Prometheus honours exposition
 * timestamps by default, and so does the hub), and every scrape gets the latest one. Scrapers on a 1 s interval
 * fetch each snapshot about twice (the repeat is the same sample, which both engines drop), so both store the SAME
 * samples at the SAME timestamps and any difference between their answers is the engines'. A scraper misses a
 * snapshot only when one of its scrapes is more than a second late (a busy machine); sameSamples/sameEdges say
 * where that happened. (Snapshots per wall-clock second, the first design, let a scraper whose phase sat near a
 * second boundary miss one every few seconds even on a quiet machine; scraping the live targets directly, the two
 * legitimately disagreed by 10 %+ on a sparse, bursty histogram's quantile.)
 * Each scraper has its own URLs (/<scraper>/<job>), so the proxy knows which snapshots it served to whom.
 */
export async function alignScrapes(
  targets: PromTarget[],
  options: { snapshotEveryMs?: number } = {},
): Promise<AlignedTargets> {
  const every = options.snapshotEveryMs ?? 2000;
  type Snapshot = Promise<{ type: string; body: string; stampMs: number }>;
  const latest = new Map<string, Snapshot>();
  const served = new Map<string, Set<number>>(); // "<scraper>/<job>" -> stamps of the snapshots it received whole
  let openedAt: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  // A sample's timestamp goes before its exemplar; OpenMetrics writes it in seconds, the text format in ms.
  const stamp = (body: string, ms: number, openMetrics: boolean) =>
    body
      .split('\n')
      .map((l) => {
        if (!l || l.startsWith('#')) return l;
        const i = l.indexOf(' # ');
        const [sample, exemplar] = i < 0 ? [l, ''] : [l.slice(0, i), l.slice(i)];
        return `${sample} ${openMetrics ? (ms / 1000).toFixed(3) : ms}${exemplar}`;
      })
      .join('\n');
  const snapshotAll = () => {
    for (const t of targets) {
      const stampMs = Date.now();
      const next: Snapshot = fetch(t.url, { signal: AbortSignal.timeout(5000) }).then(async (r) => {
        const type = r.headers.get('content-type') ?? 'text/plain';
        return { type, body: stamp(await r.text(), stampMs, type.startsWith('application/openmetrics-text')), stampMs };
      });
      next.catch(() => {}); // a failed snapshot answers its scrapes 502
      latest.set(t.job, next);
    }
  };
  const server = createServer((req, res) => {
    const [scraper, job] = (req.url ?? '/').slice(1).split('/').map(decodeURIComponent);
    const snapshot = latest.get(job);
    if (!scraper || !targets.some((t) => t.job === job)) return void res.writeHead(404).end();
    if (!snapshot) return void res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end();
    snapshot.then(
      ({ type, body, stampMs }) => {
        const key = `${scraper}/${job}`;
        res.once('finish', () => (served.get(key) ?? served.set(key, new Set()).get(key)!).add(stampMs));
        res.writeHead(200, { 'content-type': type }).end(body);
      },
      (err) => res.writeHead(502).end(String(err)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  const inWindow = (key: string, fromMs: number, toMs: number) =>
    [...(served.get(key) ?? [])]
      .filter((ms) => ms > fromMs && ms <= toMs)
      .sort((x, y) => x - y)
      .join(',');
  return {
    targetsFor: (scraper) =>
      targets.map((t) => ({
        job: t.job,
        url: `http://127.0.0.1:${port}/${encodeURIComponent(scraper)}/${encodeURIComponent(t.job)}`,
      })),
    open: () => {
      if (openedAt === null) {
        openedAt = Date.now();
        snapshotAll();
        timer = setInterval(snapshotAll, every);
      }
      return openedAt;
    },
    sameSamples: (a, b, fromMs, toMs, jobs = targets.map((t) => t.job)) =>
      jobs.every((job) => inWindow(`${a}/${job}`, fromMs, toMs) === inWindow(`${b}/${job}`, fromMs, toMs)),
    sameEdges: (a, b, fromMs, toMs, jobs = targets.map((t) => t.job)) =>
      jobs.every((job) => {
        const [x, y] = [
          inWindow(`${a}/${job}`, fromMs, toMs).split(','),
          inWindow(`${b}/${job}`, fromMs, toMs).split(','),
        ];
        return x[0] === y[0] && x.at(-1) === y.at(-1);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
