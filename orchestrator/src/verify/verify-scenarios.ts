import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { builtInScenariosDir, formatProblems, loadScenarios } from '../scenarios/loader.ts';
import { startHeadlessPlatform } from './headless-platform.ts';
import type { Calibration } from '../calibration/calibration-file.ts';
import { describeStep } from '../calibration/calibrator.ts';
import { RestClient } from './rest-client.ts';
import { RunObserver } from './run-observer.ts';
import { noFigures, verifyScenario, type ScenarioFigures } from './verify-scenario.ts';

export interface VerifyOptions {
  /** Folder of scenario YAML files (default: the built-in library). */
  dir?: string;
  /** Only these scenario ids, in this order (default: all, sorted by id). */
  ids?: string[];
  /** PostgreSQL to use instead of an embedded one in a temp folder. */
  databaseUrl?: string;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface VerifyReport {
  startedAt: string;
  durationS: number;
  machine: { cpus: number; loadAvg1m: number };
  /** What the capacity probe measured before the scenarios, and every scenario's load was scaled to. */
  calibration: Calibration | null;
  passed: boolean;
  /** Scenario files that did not load, or ids asked for that do not exist. */
  problems: string[];
  scenarios: ScenarioFigures[];
}

/**
 * Boots the platform headless and plays every scenario (see verifyScenario) one after the other. A scenario
 * folder that does not load fails the report before anything boots.
 */
export async function verifyScenarios(o: VerifyOptions = {}): Promise<VerifyReport> {
  const log = o.log ?? (() => {});
  const dir = resolve(o.dir ?? builtInScenariosDir);
  const t0 = Date.now();
  const report: VerifyReport = {
    startedAt: new Date(t0).toISOString(),
    durationS: 0,
    machine: { cpus: cpus().length, loadAvg1m: loadavg()[0] },
    calibration: null,
    passed: false,
    problems: [],
    scenarios: [],
  };
  const { scenarios, problems } = await loadScenarios(dir);
  if (problems.length) report.problems.push(formatProblems(problems));
  const chosen = o.ids?.length ? o.ids.map((id) => scenarios.find((s) => s.id === id) ?? id) : scenarios;
  for (const c of chosen) if (typeof c === 'string') report.problems.push(`unknown scenario "${c}" in ${dir}`);
  if (report.problems.length) return report;

  log(`booting the platform (${o.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL in a temp folder'})…`);
  const h = await startHeadlessPlatform({ databaseUrl: o.databaseUrl, scenariosDir: dir });
  let obs: RunObserver | undefined;
  try {
    // The probe also warms the shop up (JIT, pools, caches) before the first baseline.
    log('measuring what this machine can serve (capacity probe, about 50 s)…');
    report.calibration = await h.platform.calibrator.measure();
    for (const step of report.calibration?.steps ?? []) log(`  ${describeStep(step)}`);
    log(`  capacity: ${report.calibration?.capacityRps ?? 'not measured'} req/s`);
    const rest = new RestClient(h.platform.url);
    obs = await RunObserver.connect(h.platform.url);
    for (const s of chosen) {
      if (typeof s === 'string') continue;
      log(`${s.id}: ${s.spec.title}`);
      report.scenarios.push(
        await verifyScenario(s, rest, obs, log).catch((err: Error) => {
          log(`  ${s.id}: FAIL ${err.message}`);
          return noFigures(s.id, [`verification crashed: ${err.message}`]);
        }),
      );
    }
  } finally {
    obs?.close();
    await h.stop();
  }
  report.durationS = Math.round((Date.now() - t0) / 1000);
  report.passed = report.scenarios.length > 0 && report.scenarios.every((s) => s.passed);
  return report;
}
