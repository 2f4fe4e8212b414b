import type { LoadGenerator } from '../load/generator.ts';
import type { ServerMessage } from '../protocol/ws-messages.ts';
import type { RunStore } from '../store/run-store.ts';
import type { SutControl } from '../services/sut-control.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { EffectiveLoad } from '../calibration/effective-load.ts';
import type { ShopActions } from '../actions/shop-actions.ts';

/** The parts of each collaborator the engine uses (the real classes satisfy them; tests pass in-memory fakes). */
export type RunEngineStore = Pick<RunStore, 'create' | 'update' | 'addEvent' | 'get' | 'active' | 'events'>;
export type RunEngineLoad = Pick<
  LoadGenerator,
  'start' | 'setPlan' | 'stop' | 'running' | 'recent' | 'summary' | 'onSecond'
>;
export type RunEngineControl = Pick<SutControl, 'resetConfig' | 'applyState'>;

export interface RunEngineDeps {
  store: RunEngineStore;
  load: RunEngineLoad;
  control: RunEngineControl;
  scenarios: () => Scenario[];
  emit: (msg: ServerMessage) => void;
  /** Instant value of a PromQL expression (the telemetry hub); null when unknown. */
  signal?: (expr: string) => Promise<number | null>;
  log?: (msg: string) => void;
  /** Extra seconds a baseline may take to hold before the run is aborted as unhealthy. */
  baselineGraceSeconds?: number;
  /** The scenario's load on this machine (the calibration); default: its YAML rates. Throws CapacityRefusal. */
  loadFor?: (scenario: Scenario) => EffectiveLoad;
  /** Releases and jobs (a fault that rolls one out or starts one; a reset that restores them). */
  actions?: ShopActions;
}
