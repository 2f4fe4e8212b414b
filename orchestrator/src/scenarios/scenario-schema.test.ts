import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { formatProblems, parseScenario } from './loader.ts';
import type { ScenarioInput } from './scenario-schema.ts';

/** The smallest scenario the format accepts: every optional field left to its default. */
const minimal: ScenarioInput = {
  id: 'tiny',
  title: 'A tiny incident',
  difficulty: 'beginner',
  estimatedMinutes: 5,
  objectives: ['Notice it'],
  story: 'Something is off.',
  load: { phases: [{ pattern: 'constant', durationS: 60, rps: 50 }] },
  fault: { config: { gateway: { upstreamPoolSize: 1 } } },
  fix: { documented: { gateway: { upstreamPoolSize: 64 } }, explanation: 'Raise it back.' },
};

const parse = (doc: unknown, file = 'scenarios/x.yaml') =>
  parseScenario(typeof doc === 'string' ? doc : stringify(doc), file);
const problems = (doc: unknown) => {
  const r = parse(doc);
  if (!('problems' in r)) throw new Error('expected problems, the scenario loaded');
  return formatProblems(r.problems);
};
const withFault = (config: unknown) => ({ ...minimal, fault: { config } });

describe('scenario schema', () => {
  it('loads a minimal scenario with every default applied', () => {
    const r = parse(minimal);
    if (!('scenario' in r)) throw new Error(formatProblems(r.problems));
    const { spec } = r.scenario;
    expect(spec.slo).toEqual({
      successPct: 99,
      latencyPercentile: 95,
      latencyThresholdMs: 250,
      windowSeconds: 30,
      holdSeconds: 20,
      rateLimitedCountsAsSuccess: false,
    });
    expect(spec.baselineSeconds).toBe(10);
    expect(spec.hints).toEqual([]);
    expect(spec.load.journeys).toEqual({ browse: 30, search: 15, view: 35, recommendations: 12, checkout: 8 });
    expect([...r.scenario.relevantKnobs]).toEqual(['gateway.upstreamPoolSize']);
    expect(r.scenario.faultPlan).toBeNull();
  });

  it('loads a full scenario: hints of every kind resolve, a fault load plan is kept', () => {
    const r = parse({
      ...minimal,
      fault: {
        config: { api: { pricingVersion: '1.1' } },
        load: { phases: [{ pattern: 'spike', durationS: 60, baseRps: 50, peakRps: 200, atS: 5, forS: 30 }] },
      },
      slo: { latencyThresholdMs: 400, rateLimitedCountsAsSuccess: true },
      hints: [
        { id: 'a', text: 'time', when: { afterSeconds: 60 } },
        { id: 'b', text: 'signal', when: { signal: 'api_cpu_pct', op: '>', value: 80 } },
        { id: 'c', text: 'idle', when: { noChangeForSeconds: 120 } },
        { id: 'd', text: 'unrelated', when: { unrelatedChange: true } },
      ],
      checkpoints: [
        { id: 'mc', stage: 'localize', question: 'Where?', choices: ['here', 'there'], answer: 1 },
        { id: 'ft', stage: 'diagnose', question: 'What?', pattern: 'pool' },
      ],
      fix: {
        documented: { api: { pricingVersion: '1.0' } },
        wrong: { api: { workerPoolSize: 16 } },
        explanation: 'Roll back.',
      },
    });
    if (!('scenario' in r)) throw new Error(formatProblems(r.problems));
    expect(r.scenario.hints.map((h) => h.kind)).toEqual(['after', 'signal', 'no-change', 'unrelated-change']);
    expect(r.scenario.hints[1]).toMatchObject({
      forSeconds: 5,
      expr: expect.stringContaining('process_cpu_seconds_total'),
    });
    expect(r.scenario.faultPlan?.phases[0].pattern).toBe('spike');
    expect(r.scenario.spec.slo).toMatchObject({
      latencyThresholdMs: 400,
      successPct: 99,
      rateLimitedCountsAsSuccess: true,
    });
  });

  it('rejects an unknown service with file, path and the known services', () => {
    expect(problems(withFault({ payments: { poolSize: 1 } }))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fault.config.payments: unknown service "payments" (known: gateway, api, inventory)"`,
    );
  });

  it('takes a release or a job as the fault and a list of actions as the fix; the relevant actions are kept', () => {
    const r = parse({
      ...minimal,
      fault: { release: { service: 'api', version: '2026.12.1' } },
      fix: {
        documented: [{ action: 'release', service: 'api', version: '2026.11.3' }],
        wrong: [{ action: 'restart', service: 'api' }],
        explanation: 'Roll back.',
      },
    });
    if (!('scenario' in r)) throw new Error(formatProblems(r.problems));
    expect(r.scenario.relevantActions).toEqual(new Set(['release']));
    expect(r.scenario.faultConfig).toEqual({});
    const job = parse({ ...minimal, fault: { job: 'analytics-rollup' } });
    expect('scenario' in job).toBe(true);
  });

  it('rejects an unknown action, a release that does not exist and an unknown job, with the path', () => {
    expect(
      problems({
        ...minimal,
        fault: { job: 'backup', release: { service: 'api', version: '9.9' } },
      }),
    ).toMatchInlineSnapshot(`
      "scenarios/x.yaml: fault.release.version: Invalid option: expected one of "2026.11.3"|"2026.12.1"
      scenarios/x.yaml: fault.job: Invalid input: expected "analytics-rollup""
    `);
    expect(
      problems({ ...minimal, fix: { documented: [{ action: 'reboot', service: 'api' }], explanation: 'x' } }),
    ).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fix.documented.0.action: Invalid discriminator value. Expected 'config' | 'restart' | 'release' | 'stop-job' | 'terminate-backend'"`,
    );
  });

  it('rejects an unknown knob with the knobs the service has', () => {
    expect(problems(withFault({ api: { threads: 4 } }))).toMatchInlineSnapshot(
      `"scenarios/x.yaml: fault.config.api.threads: unknown knob "threads" of api (known: pricingVersion, workerPoolSize, dbPoolMax, inventoryTimeoutMs)"`,
    );
  });

  it("rejects a knob value out of the service's own range", () => {
    expect(
      problems(withFault({ api: { workerPoolSize: 500 }, inventory: { stockIndex: 'gone' } })),
    ).toMatchInlineSnapshot(`
      "scenarios/x.yaml: fault.config.api.workerPoolSize: api.workerPoolSize: Too big: expected number to be <=64
      scenarios/x.yaml: fault.config.inventory.stockIndex: inventory.stockIndex: Invalid option: expected one of "present"|"dropped""
    `);
  });

  it('rejects an unknown signal and a bad hint trigger', () => {
    expect(
      problems({
        ...minimal,
        hints: [
          { id: 'x', text: 't', when: { signal: 'cpu_total', op: '>', value: 1 } },
          { id: 'y', text: 't', when: { afterMinutes: 3 } },
        ],
      }),
    ).toMatchInlineSnapshot(`
      "scenarios/x.yaml: hints.0.when.signal: Invalid option: expected one of "users_success_pct"|"users_p95_ms"|"gateway_pending"|"gateway_p95_ms"|"api_p95_ms"|"api_cpu_pct"|"api_event_loop_lag_ms"|"api_heap_used_mb"|"api_gc_pct"|"worker_queue_depth"|"api_db_pending"|"inventory_db_p95_ms"|"users_rate_limited_rps"|"users_offered_rps"
      scenarios/x.yaml: hints.1.when: matches none of the accepted forms (see docs/scenario-guide.md#fields)"
    `);
  });

  it('rejects a checkpoint whose answer is outside its choices, and one with neither choices nor pattern', () => {
    expect(
      problems({
        ...minimal,
        checkpoints: [
          { id: 'a', stage: 'detect', question: 'q', choices: ['x', 'y'], answer: 2 },
          { id: 'b', stage: 'fix', question: 'q' },
        ],
      }),
    ).toMatchInlineSnapshot(`
      "scenarios/x.yaml: checkpoints.0: a checkpoint has either choices with an answer index inside them, or a pattern
      scenarios/x.yaml: checkpoints.1.stage: Invalid option: expected one of "detect"|"localize"|"diagnose""
    `);
  });

  it('rejects missing fields, unknown fields and an empty fault', () => {
    const { story: _, ...noStory } = minimal;
    expect(problems({ ...noStory, fault: {}, colour: 'red' })).toMatchInlineSnapshot(`
      "scenarios/x.yaml: story: Invalid input: expected string, received undefined
      scenarios/x.yaml: fault: a fault changes config, load, a release or starts a job
      scenarios/x.yaml: (root): Unrecognized key: "colour""
    `);
  });

  it('rejects a bad load plan inside the scenario', () => {
    expect(
      problems({
        ...minimal,
        load: {
          phases: [{ pattern: 'spike', durationS: 10, baseRps: 1, peakRps: 9000, atS: 8, forS: 5 }],
          journeys: { browse: 0 },
        },
      }),
    ).toMatchInlineSnapshot(`
      "scenarios/x.yaml: load.phases.0.peakRps: Too big: expected number to be <=5000
      scenarios/x.yaml: load.phases.0.forS: the spike (atS + forS) must end within the phase (durationS)
      scenarios/x.yaml: load.journeys: at least one journey needs a weight above 0"
    `);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(problems('id: x\ntitle: [unclosed\n')).toMatchInlineSnapshot(
      `"scenarios/x.yaml: line 3: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1:"`,
    );
  });
});
