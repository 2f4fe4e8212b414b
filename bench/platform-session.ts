// Everything measured on the platform as `npm start` runs it: cold start with a fresh and with an existing data
// folder, the process tree's memory idle and during scenarios, time to symptom / verdict, push latency, and the
// label sets of every series the live hub holds (for the hub bench).
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Labels } from '../orchestrator/src/telemetry/metrics/index.ts';
import { loadScenarios } from '../orchestrator/src/scenarios/loader.ts';
import { warmUpSeconds } from '../orchestrator/src/platform/warm-up.ts';
import { captureSeries } from './hub.ts';
import {
  freePlatformPorts,
  startPlatformProcess,
  type PlatformPorts,
  type RunningPlatform,
} from './platform-process.ts';
import { sampleTreeRss, type RssSamples } from './proc-tree.ts';
import { measurePushLatency, measureScenario, type PushFigures, type ScenarioFigures } from './scenario-run.ts';

export interface BootFigures {
  kind: 'fresh' | 'existing';
  /** Spawn -> the `Ready in X s` line (what the learner waits for). */
  readyMs: number | null;
  /** The figure the platform printed itself (from its own start, after Node loaded the code). */
  readySelfS: number | null;
  /** Spawn -> first 200 from /api/health (the listener is up before the SUT children). */
  healthMs: number;
  /** The boot steps the platform printed, e.g. `[3/7] migrations and seed ... (6251 ms)`. */
  steps: string[];
  stop: { code: number | null; signal: string | null; stopMs: number; orphanPids: number[]; orphans: string[] } | null;
}

export interface SessionFigures {
  /** Why the fresh boot is not a first-ever start (an external database was given). */
  databaseNote: string | null;
  boots: BootFigures[];
  /** The first seconds after Ready, while the platform's boot warm-up sends its traffic. */
  warmUp: RssSamples | null;
  /** After the warm-up's traffic has ended and what it started (threads, connections) has closed: a learner reading. */
  idle: RssSamples | null;
  scenarios: ScenarioFigures[];
  /** Scenarios left out to stay within the time budget. */
  scenariosSkipped: string[];
  push: PushFigures | null;
  series: Labels[];
  errors: { step: string; message: string }[];
}

export interface SessionOptions {
  scenariosDir: string;
  /** Scenario ids to run first, in this order (the rest follow in folder order while the budget lasts). */
  first?: string[];
  /** Run at most this many seconds of scenarios (one always runs). */
  scenarioBudgetS: number;
  idleSeconds: number;
  /** Wait this long after the boot warm-up before sampling idle. */
  settleSeconds: number;
  pushSamples: number;
  databaseUrl?: string;
  log: (line: string) => void;
}

const bootSteps = (out: string) =>
  out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\[\d+\/\d+\]/.test(l));

async function boot(
  kind: BootFigures['kind'],
  dataDir: string,
  ports: PlatformPorts,
  o: SessionOptions,
): Promise<{ p: RunningPlatform; f: BootFigures }> {
  const p = await startPlatformProcess({ dataDir, ports, scenariosDir: o.scenariosDir, databaseUrl: o.databaseUrl });
  const f: BootFigures = {
    kind,
    readyMs: p.readyLineMs,
    readySelfS: p.readyLineS,
    healthMs: p.healthMs,
    steps: bootSteps(p.output()),
    stop: null,
  };
  o.log(
    `  ${kind} data folder: ready in ${((f.readyMs ?? NaN) / 1000).toFixed(1)} s (health answered at ${(f.healthMs / 1000).toFixed(1)} s)`,
  );
  return { p, f };
}

export async function runPlatformSession(o: SessionOptions): Promise<SessionFigures> {
  const out: SessionFigures = {
    databaseNote: o.databaseUrl
      ? 'external database given (--database-url): "fresh" is a fresh data folder, not a first-ever database'
      : null,
    boots: [],
    warmUp: null,
    idle: null,
    scenarios: [],
    scenariosSkipped: [],
    push: null,
    series: [],
    errors: [],
  };
  const fail = (step: string, err: unknown) => {
    out.errors.push({ step, message: (err as Error).message });
    o.log(`  ${step} failed: ${(err as Error).message}`);
  };
  const loaded = (await loadScenarios(o.scenariosDir)).scenarios;
  const rank = (id: string) => (o.first?.includes(id) ? o.first.indexOf(id) : Infinity);
  const scenarios = [...loaded].sort((a, b) => rank(a.id) - rank(b.id));
  const dataDir = await mkdtemp(join(tmpdir(), 'observastack-bench-'));
  // As root, embedded PostgreSQL runs as the `postgres` user, which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  try {
    const fresh = await boot('fresh', dataDir, await freePlatformPorts(), o);
    out.boots.push(fresh.f);
    fresh.f.stop = await fresh.p.stop();

    // New ports: the data folder is what makes this start "existing"; ports freed a moment ago may meanwhile be
    // taken by other work on a shared machine.
    const existing = await boot('existing', dataDir, await freePlatformPorts(), o);
    out.boots.push(existing.f);
    const p = existing.p;
    try {
      const warming = sampleTreeRss(p.pid, 500);
      await sleep(warmUpSeconds * 1000);
      out.warmUp = await warming.stop();
      o.log(`  during the boot warm-up: tree Pss ${(out.warmUp.meanPssBytes / 2 ** 20).toFixed(0)} MB`);
      await sleep(o.settleSeconds * 1000);
      const idle = sampleTreeRss(p.pid, 500);
      await sleep(o.idleSeconds * 1000);
      out.idle = await idle.stop();
      o.log(
        `  idle tree Pss ${(out.idle.meanPssBytes / 2 ** 20).toFixed(0)} MB (RSS ${(out.idle.meanBytes / 2 ** 20).toFixed(0)} MB) over ${out.idle.samples} samples`,
      );

      const t0 = Date.now();
      for (const s of scenarios) {
        if (out.scenarios.length > 0 && (Date.now() - t0) / 1000 > o.scenarioBudgetS) {
          out.scenariosSkipped.push(s.id);
          continue;
        }
        o.log(`  scenario ${s.id}…`);
        const f = await measureScenario(p.url, p.pid, s);
        out.scenarios.push(f);
        if (f.error) fail(`scenario ${s.id}`, new Error(f.error));
        else
          o.log(
            `  scenario ${s.id}: symptom after ${f.timeToSymptomS} s, verdict ${f.outcome} ${f.timeToVerdictS} s after the fix`,
          );
      }
      if (scenarios.length === 0) fail('scenarios', new Error(`no scenario in ${o.scenariosDir}`));

      if (scenarios[0]) {
        out.push = await measurePushLatency(p.url, scenarios[0].id, o.pushSamples);
        if (out.push.error) fail('push latency', new Error(out.push.error));
      }
      try {
        out.series = await captureSeries(p.url);
      } catch (err) {
        fail('series capture', err);
      }
    } finally {
      existing.f.stop = await p.stop();
    }
    for (const b of out.boots)
      if (b.stop?.orphanPids.length)
        fail(
          `stop after ${b.kind} boot`,
          new Error(
            `processes left running after the platform exited (${b.stop.code ?? b.stop.signal}): ${b.stop.orphans.join('; ')}`,
          ),
        );
  } catch (err) {
    fail('platform', err);
  } finally {
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
  }
  return out;
}
