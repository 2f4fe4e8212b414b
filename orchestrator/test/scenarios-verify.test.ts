import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyDatabase, type TestDatabase } from '../../test-support/sut-harness.ts';
import { verifyScenarios } from '../src/verify/verify-scenarios.ts';
import { formatVerifyTable } from '../src/verify/verify-report.ts';

/**
 * Plays all eight built-in scenarios against the real platform (see src/verify/verify-scenario.ts): the baseline
 * holds, the fault breaches the SLO, the wrong fix does not resolve it, the documented fix does. About a minute
 * and a half each; the database is a copy of the suite's seeded shop, so no other test shares its state.
 */
describe('scenario library, verified end to end', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await copyDatabase(inject('pgAdminUrl'));
  });
  afterAll(() => db?.drop());

  it(
    'every built-in scenario breaches, refuses its wrong fix and resolves with its documented fix',
    async () => {
      const report = await verifyScenarios({ databaseUrl: db.url });
      console.log(formatVerifyTable(report));
      expect(report.problems).toEqual([]);
      // Every scenario ran at the load the capacity probe measured for this machine, and recorded it.
      expect(report.calibration).toMatchObject({ source: 'probe', capacityRps: expect.any(Number) });
      expect(report.calibration!.capacityRps).toBeGreaterThan(0);
      for (const s of report.scenarios)
        expect(s.load, s.id).toMatchObject({ source: 'probe', capacityRps: report.calibration!.capacityRps });
      expect(report.scenarios.map((s) => s.id)).toEqual([
        'analytics-lock',
        'cpu-regression',
        'db-connection-exhaustion',
        'db-slow-query',
        'gateway-pool-lowered',
        'leaky-release',
        'traffic-spike',
        'worker-pool-saturation',
      ]);
      expect(report.scenarios.filter((s) => !s.passed).map((s) => ({ id: s.id, failures: s.failures }))).toEqual([]);
    },
    20 * 60_000,
  );
});
