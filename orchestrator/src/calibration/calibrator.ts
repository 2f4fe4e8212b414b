import { loadavg } from 'node:os';
import type { LoadGenerator } from '../load/index.ts';
import { warmUp } from '../platform/warm-up.ts';
import {
  machineFingerprint,
  readCalibration,
  staleReason,
  writeCalibration,
  type Calibration,
} from './calibration-file.ts';
import { probeCapacity, probeStairS, probeWarmS, type ProbeStep } from './probe.ts';

/** A probe that measured nothing is tried again on demand, at most this often. */
export const remeasureAfterMs = 60_000;

/** OBS_CALIBRATION: auto (measure when missing or stale), off (the YAML rates as they are), or a capacity in req/s. */
export type CalibrationMode = 'auto' | 'off' | number;

export interface CalibratorOptions {
  load: LoadGenerator;
  mode: CalibrationMode;
  /** Where the calibration is kept (the data folder); null: in memory only (stack mode's read-only filesystem). */
  file: string | null;
  /** True when every shop service answers: a probe of a shop still starting would measure nothing. */
  ready?: () => boolean;
  /** True while a run holds the load generator: a probe never takes it from a learner. */
  runActive?: () => boolean;
  log?: (line: string) => void;
}

/**
 * Owns this machine's calibration: loads it at boot, measures it (in the background, instead of the plain
 * warm-up) when it is missing or stale, and on demand (`npm run calibrate`, the verifier).
 */
export class Calibrator {
  private current: Calibration | null = null;
  private probe: Promise<Calibration | null> | null = null;
  private probeStartedAt = 0;
  private lastRemeasureAt = 0;
  private stopped = false;

  private readonly opts: CalibratorOptions;

  constructor(o: CalibratorOptions) {
    this.opts = o;
  }

  /** The calibration in force; null when calibration is off or nothing was measured yet. */
  get calibration(): Calibration | null {
    return this.current;
  }

  /**
   * When the calibration in force measured nothing (the probe's first stair broke: the machine was busy at that
   * moment, e.g. a learner's laptop compiling something at boot), starts measuring again, at most once a
   * minute, so that the next Start waits for a fresh figure (busyReason) instead of being refused for a week.
   * Returns true when it started a probe.
   */
  remeasureIfUnusable(now = Date.now()): boolean {
    const c = this.current;
    if (this.probe || this.opts.mode !== 'auto' || !c || c.source !== 'probe' || c.capacityRps > 0) return false;
    if (now - this.lastRemeasureAt < remeasureAfterMs || this.opts.runActive?.()) return false;
    this.lastRemeasureAt = now;
    this.log('calibration: the last probe measured nothing; measuring again before the run (about 50 s)…');
    void this.measure().catch((err: Error) => this.log(`calibration failed: ${err.message}`));
    return true;
  }

  /** While a probe runs, what runs are told (they wait for it); null otherwise. */
  busyReason(): string | null {
    if (!this.probe) return null;
    // A quiet laptop breaks at the 7th stair; a stair that breaks is tried once more.
    const typicalS = probeWarmS + 8 * probeStairS;
    const leftS = Math.max(5, Math.round(typicalS - (Date.now() - this.probeStartedAt) / 1000));
    return `measuring what this machine can serve (about ${leftS} s more)`;
  }

  /** At boot, with no run active: loads or measures the calibration; the shop is warmed up either way. */
  async boot(): Promise<void> {
    const { mode, load } = this.opts;
    if (mode === 'off' || typeof mode === 'number') {
      if (typeof mode === 'number') this.current = configured(mode);
      warmUp(load);
      return;
    }
    const stored = this.opts.file ? await readCalibration(this.opts.file, this.log) : null;
    const stale = stored ? staleReason(stored) : 'no calibration stored yet';
    if (stored && !stale) {
      this.current = stored;
      this.log(
        `calibration: this machine serves ${stored.capacityRps} req/s (measured ${new Date(stored.measuredAt).toISOString()}; \`npm run calibrate\` measures again)`,
      );
      warmUp(load);
      return;
    }
    this.current = stored;
    this.log(`calibration: ${stale}; measuring what this machine can serve in the background (about 50 s)…`);
    void this.measure().catch((err: Error) => this.log(`calibration failed: ${err.message}`));
  }

  /** Measures now (or joins the probe in progress); resolves with the new calibration, or the old one if a run took the load over. */
  measure(): Promise<Calibration | null> {
    this.probe ??= this.runProbe().finally(() => (this.probe = null));
    return this.probe;
  }

  stop(): void {
    this.stopped = true;
  }

  private async runProbe(): Promise<Calibration | null> {
    this.probeStartedAt = Date.now();
    while (this.opts.ready && !this.opts.ready()) {
      if (this.stopped) return this.current;
      await new Promise((r) => setTimeout(r, 1000));
      this.probeStartedAt = Date.now();
    }
    if (this.opts.runActive?.())
      throw new Error('a run is active: the capacity probe needs the shop to itself; stop the run first');
    await this.opts.load.stop(); // the boot warm-up, if any
    const loadAvg1m = loadavg()[0];
    const result = await probeCapacity(this.opts.load, { onStep: (s) => this.log(`  ${describeStep(s)}`) });
    if (result.ended === 'taken-over') {
      this.log(
        'calibration: the probe was interrupted (the load generator was taken over); keeping the previous calibration',
      );
      return this.current;
    }
    const c: Calibration = {
      version: 1,
      capacityRps: result.capacityRps,
      measuredAt: Date.now(),
      source: 'probe',
      machine: machineFingerprint(),
      loadAvg1m,
      steps: result.steps,
    };
    this.current = c;
    if (this.opts.file) await writeCalibration(this.opts.file, c);
    this.log(
      `calibration: this machine serves ${c.capacityRps} req/s within the SLO (load average ${loadAvg1m.toFixed(1)} when measured)${this.opts.file ? `; kept in ${this.opts.file}` : ''}`,
    );
    return c;
  }

  private log = (line: string) => this.opts.log?.(line);
}

export function describeStep(s: ProbeStep): string {
  const p95 = s.p95Ms.map((p) => (p === null ? '–' : `${p}`)).join('/');
  return `${String(s.rps).padStart(5)} req/s: ${s.successPct.toFixed(1).padStart(5)} % ok, p95 ${p95} ms  ${s.passed ? 'held' : 'broke the SLO'}`;
}

/** A capacity given by OBS_CALIBRATION (a workshop VM measured once, or a test that must not wait for a probe). */
export function configured(capacityRps: number): Calibration {
  return {
    version: 1,
    capacityRps,
    measuredAt: Date.now(),
    source: 'configured',
    machine: machineFingerprint(),
    loadAvg1m: null,
    steps: [],
  };
}
