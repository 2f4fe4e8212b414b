/**
 * In-memory collaborators for the run engine's unit tests: a store, the simulated users and the SUT's admin
 * routes, driven by vitest's fake clock (`Date.now()`). No database, no socket, no process.
 */
import { expect, vi } from 'vitest';
import { RunEngine } from './run-engine.ts';
import type { RunEngineControl, RunEngineDeps, RunEngineLoad, RunEngineStore } from './run-engine-deps.ts';
import { baselineWarmupSeconds } from './run-judge.ts';
import { activeRunStates, type RunState } from '../protocol/run.ts';
import type { RunEvent } from '../protocol/run-events.ts';
import { serverMessageSchema, type ServerMessage } from '../protocol/ws-messages.ts';
import type { RunRecord } from '../store/run-store.ts';
import type { ConfigChangeResult, ServiceReply } from '../services/sut-control.ts';
import type { KnobService } from '../scenarios/knobs.ts';
import type { ConfigState, ScenarioInput } from '../scenarios/scenario-schema.ts';
import { scenarioSchema } from '../scenarios/scenario-schema.ts';
import { resolveScenario, type Scenario } from '../scenarios/scenario.ts';
import type { LoadPlanInput } from '../load/plan-schema.ts';
import type { SecondStats } from '../load/second-stats.ts';
import type { WindowSummary } from '../load/stats-window.ts';
import { emptyOutcomeCounts } from '../load/outcome.ts';

/** PostgreSQL's stand-in: a copy of every run as last stored, each state it was stored with, and the events. */
export class MemoryRunStore implements RunEngineStore {
  readonly runs = new Map<string, RunRecord>();
  readonly stored: RunEvent[] = [];
  private readonly history: { id: string; state: RunState }[] = [];

  async create(run: RunRecord): Promise<void> {
    this.runs.set(run.id, structuredClone(run));
    this.history.push({ id: run.id, state: run.state });
  }

  async update(run: RunRecord): Promise<void> {
    if (!this.runs.has(run.id)) throw new Error(`update of unknown run ${run.id}`);
    this.runs.set(run.id, structuredClone(run));
    if (this.history.findLast((h) => h.id === run.id)?.state !== run.state)
      this.history.push({ id: run.id, state: run.state });
  }

  async addEvent(e: RunEvent): Promise<void> {
    this.stored.push(structuredClone(e));
  }

  async get(id: string): Promise<RunRecord | null> {
    const r = this.runs.get(id);
    return r ? structuredClone(r) : null;
  }

  async active(): Promise<RunRecord | null> {
    const r = [...this.runs.values()].find((x) => activeRunStates.includes(x.state));
    return r ? structuredClone(r) : null;
  }

  async events(runId: string): Promise<RunEvent[]> {
    return this.stored.filter((e) => e.runId === runId).map((e) => structuredClone(e));
  }

  /** The states a run was stored with, in order (repeated updates in one state count once). */
  states(id: string): RunState[] {
    return this.history.filter((h) => h.id === id).map((h) => h.state);
  }

  /** The stored timeline of a run, by event type. */
  eventTypes(id: string): RunEvent['type'][] {
    return this.stored.filter((e) => e.runId === id).map((e) => e.type);
  }
}

const secondSize = 100;
const latency = { p50: 20, p95: 40, p99: 60, max: 80 };

/**
 * The simulated users: one report per whole second since start() (the second in progress is not reported yet),
 * every request of a second succeeding or failing as `setHealthy` last said for that second.
 */
export class FakeLoad implements RunEngineLoad {
  running = false;
  /** start / setPlan / stop, in order. */
  readonly calls: string[] = [];
  readonly plans: LoadPlanInput[] = [];
  private startSec = 0;
  private readonly health: { from: number; healthy: boolean }[] = [];
  private readonly listeners = new Set<(stats: SecondStats) => void>();
  private reporter: NodeJS.Timeout | null = null;
  /** How long after a second ends it is reported (the real generator waits for that second's requests). */
  reportDelayMs = 0;

  start(plan: LoadPlanInput): void {
    if (this.running) throw new Error('load already running');
    if (this.stopping) throw new Error('load generator is still stopping');
    this.running = true;
    this.startSec = nowSec();
    this.calls.push('start');
    this.plans.push(plan);
    this.scheduleReport();
  }

  /** Reports each second as it ends (plus `reportDelayMs`), as the real generator's onSecond does. */
  private scheduleReport(): void {
    const due = (nowSec() + 1) * 1000 + this.reportDelayMs;
    this.reporter = setTimeout(() => {
      const last = this.recent(1)[0];
      if (last) for (const listener of this.listeners) listener(last);
      if (this.running) this.scheduleReport();
    }, due - Date.now());
  }

  onSecond(listener: (stats: SecondStats) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setPlan(plan: LoadPlanInput): void {
    this.calls.push('setPlan');
    this.plans.push(plan);
  }

  /** Like the real generator: a stop in progress keeps start() refusing until it has settled. */
  stopping: Promise<void> | null = null;

  async stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (!this.running) return;
    this.running = false;
    if (this.reporter) clearTimeout(this.reporter);
    this.reporter = null;
    this.calls.push('stop');
  }

  /** From the current second on, the users' requests succeed (true) or fail with 5xx (false). */
  setHealthy(healthy: boolean): void {
    this.health.push({ from: nowSec(), healthy });
  }

  private healthyAt(t: number): boolean {
    return this.health.findLast((h) => h.from <= t)?.healthy ?? true;
  }

  recent(seconds: number): SecondStats[] {
    const last = nowSec() - 1;
    const out: SecondStats[] = [];
    for (let t = Math.max(this.startSec, last - seconds + 1); t <= last; t++) {
      const outcomes = emptyOutcomeCounts();
      const ok = this.healthyAt(t);
      if (ok) outcomes.ok = secondSize;
      else outcomes.server = secondSize;
      out.push({
        t,
        offered: secondSize,
        sent: secondSize,
        completed: secondSize,
        outcomes,
        successPct: ok ? 100 : 0,
        latencyMs: latency,
        journeys: {} as SecondStats['journeys'],
        ordersCreated: 0,
        inFlight: 0,
      });
    }
    return out;
  }

  summary(windowSeconds: number): WindowSummary {
    const secs = this.recent(windowSeconds);
    const outcomes = emptyOutcomeCounts();
    for (const s of secs)
      for (const k of Object.keys(outcomes) as (keyof typeof outcomes)[]) outcomes[k] += s.outcomes[k];
    const count = secs.length * secondSize;
    return {
      seconds: secs.length,
      fromT: secs[0]?.t ?? null,
      toT: secs.at(-1)?.t ?? null,
      count,
      ok: outcomes.ok,
      successPct: count ? (100 * outcomes.ok) / count : null,
      outcomes,
      latencyMs: count ? latency : null,
      journeys: {} as WindowSummary['journeys'],
      ordersCreated: 0,
    };
  }
}

/**
 * The SUT's admin routes: records resets and applied states; `failReset` / `failApply` make them refuse, `downReset`
 * makes a service's admin port refuse the connection (as fetch reports it while the service restarts).
 */
export class FakeControl implements RunEngineControl {
  readonly resets: string[] = [];
  readonly applied: { state: ConfigState; who: string }[] = [];
  failReset: KnobService | null = null;
  downReset: KnobService | null = null;
  failApply: Error | null = null;
  /** Called after a state is applied (the harness breaks the users' traffic when the scenario injects). */
  onApply: (state: ConfigState, who: string) => void = () => {};

  async resetConfig(service: KnobService, who: string): Promise<ServiceReply> {
    if (service === this.downReset) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    this.resets.push(`${service} by ${who}`);
    return service === this.failReset ? { status: 503, body: null } : { status: 200, body: {} };
  }

  async applyState(state: ConfigState, who: string): Promise<ConfigChangeResult[]> {
    if (this.failApply) throw this.failApply;
    this.applied.push({ state: structuredClone(state), who });
    this.onApply(state, who);
    return Object.values(state).map((patch) => ({
      config: patch,
      changes: Object.entries(patch).map(([key, to]) => ({ key, from: null, to })),
    }));
  }
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** A small valid scenario: a lowered gateway pool, 5 s baseline, 10 s SLO window, 5 s hold, expires after 60 s. */
export function testScenario(overrides: Partial<ScenarioInput> = {}): Scenario {
  const spec = scenarioSchema.parse({
    id: 'pool-lowered',
    title: 'The pool that was lowered',
    difficulty: 'beginner',
    estimatedMinutes: 5,
    objectives: ['find the queue'],
    story: 'The shop hangs.',
    load: { phases: [{ pattern: 'constant', durationS: 60, rps: 100 }] },
    baselineSeconds: 5,
    fault: { config: { gateway: { upstreamPoolSize: 2 } } },
    slo: { windowSeconds: 10, holdSeconds: 5 },
    expiresAfterSeconds: 60,
    fix: { documented: { gateway: { upstreamPoolSize: 64 } }, explanation: 'The pool was too small.' },
    ...overrides,
  } satisfies ScenarioInput);
  return resolveScenario(spec, `${spec.id}.yaml`);
}

/** Seconds from start() until the first tick that can inject: the warm-up plus the test scenario's baseline. */
export const secondsToInjection = baselineWarmupSeconds + 5;

/** Where the fake clock starts: a whole second, so each tick of the engine lands on a second boundary. */
export const T0 = Date.UTC(2030, 0, 7, 9, 0, 0);

/** Moves the fake clock on, firing the engine's ticks (and settling what they start) on the way. */
export async function seconds(n: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(n * 1000);
}

/**
 * A run engine on in-memory collaborators. Applying the scenario's fault breaks the users' traffic from that
 * second on; the test repairs it with `load.setHealthy(true)` (and tells the engine with `recordChange`).
 */
export function engineHarness(
  o: {
    scenarios?: Scenario[];
    store?: MemoryRunStore;
    baselineGraceSeconds?: number;
    loadFor?: RunEngineDeps['loadFor'];
    actions?: RunEngineDeps['actions'];
  } = {},
) {
  const store = o.store ?? new MemoryRunStore();
  const load = new FakeLoad();
  const control = new FakeControl();
  const emitted: ServerMessage[] = [];
  const logs: string[] = [];
  const scenarios = o.scenarios ?? [testScenario()];
  control.onApply = (_state, who) => {
    if (who === 'scenario') load.setHealthy(false);
  };
  const engine = new RunEngine({
    store,
    load,
    control,
    scenarios: () => scenarios,
    // Every message is checked against the protocol: the platform's own clients (scenarios:verify, the test
    // harness) drop a message their schema refuses, so an event whose data drifted from it would go unseen.
    emit: (m) => emitted.push(serverMessageSchema.parse(m)),
    log: (m) => logs.push(m),
    baselineGraceSeconds: o.baselineGraceSeconds,
    loadFor: o.loadFor,
    actions: o.actions,
  });
  const resolutions = () => emitted.flatMap((m) => (m.type === 'resolution' ? [m] : []));
  const pushedStates = () => emitted.flatMap((m) => (m.type === 'run' ? [m.run.state] : []));
  return { engine, store, load, control, emitted, logs, resolutions, pushedStates, scenario: scenarios[0] };
}

/**
 * A run of the test scenario (5 s hold, 10 s SLO window, expires 60 s after the fault), ticking, just injected;
 * `state()` reads its stored state.
 */
export async function injectedRun() {
  const h = engineHarness();
  const { id } = await h.engine.start({ scenarioId: h.scenario.id });
  h.engine.startTicking();
  await seconds(secondsToInjection);
  expect(h.engine.activeView()?.state).toBe('injected');
  const state = () => h.store.runs.get(id)!.state;
  return { ...h, id, state };
}
