import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configured } from './calibrator.ts';
import {
  calibrationMaxAgeMs,
  machineFingerprint,
  readCalibration,
  staleReason,
  writeCalibration,
} from './calibration-file.ts';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'calibration-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('calibration file', () => {
  it('round-trips, and a missing file is no calibration', async () => {
    const file = join(dir, 'sub', 'calibration.json');
    expect(await readCalibration(file)).toBeNull();
    const c = {
      ...configured(640),
      source: 'probe' as const,
      loadAvg1m: 0.5,
      steps: [{ rps: 100, successPct: 100, p95Ms: [12, null, 14], passed: true }],
    };
    await writeCalibration(file, c);
    expect(await readCalibration(file)).toEqual(c);
  });

  it('treats a damaged or foreign file as none, and says which file it ignored', async () => {
    const file = join(dir, 'calibration.json');
    const warnings: string[] = [];
    await writeFile(file, '{"version":1,"capacityRps":"fast"}');
    expect(await readCalibration(file, (w) => warnings.push(w))).toBeNull();
    await writeFile(file, 'not json');
    expect(await readCalibration(file, (w) => warnings.push(w))).toBeNull();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(file);
    expect(await readFile(file, 'utf8')).toBe('not json'); // left for the learner to look at
  });

  it('is stale after a week or on another machine, fresh otherwise', () => {
    const c = configured(500);
    expect(staleReason(c, c.measuredAt + 1000)).toBeNull();
    expect(staleReason(c, c.measuredAt + calibrationMaxAgeMs + 1)).toMatch(/measured 7 days ago/);
    expect(staleReason(c, c.measuredAt, { ...machineFingerprint(), cpus: machineFingerprint().cpus + 2 })).toMatch(
      /the machine changed \(cpus/,
    );
    // A probe that measured nothing (a busy moment) is not kept; a configured 0 is the operator's choice.
    expect(staleReason({ ...c, source: 'probe', capacityRps: 0 }, c.measuredAt + 1000)).toMatch(/measured nothing/);
    expect(staleReason({ ...c, source: 'probe', capacityRps: 274 }, c.measuredAt + 1000)).toBeNull();
  });
});
