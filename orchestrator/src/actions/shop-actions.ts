import type { ActionRecord, JobName, JobView, ReleasesView, RestartView, RolloutView } from '../protocol/actions.ts';
import type { KnobService } from '../scenarios/knobs.ts';

/**
 * What the platform can do to the shop beyond writing its config: roll releases, restart processes, run its
 * background jobs. Embedded mode does it through the supervisor and the job runner (embedded-shop-actions.ts);
 * stack mode cannot (the orchestrator does not drive the container engine) and says so (unavailable-shop-actions.ts).
 * `who` is recorded in the change log: `learner`, `scenario` (shown as the release pipeline) or `orchestrator`.
 */
export interface ShopActions {
  /** Why these actions cannot run here (a sentence), or null when they can. */
  unavailable(): string | null;
  releases(service: KnobService): ReleasesView;
  rollout(service: KnobService, version: string, who: string, note?: string): Promise<RolloutView>;
  restart(service: KnobService, who: string): Promise<RestartView>;
  jobs(): JobView[];
  startJob(name: JobName): Promise<void>;
  stopJob(name: JobName): Promise<JobView>;
  /** Stops every running job (a reset, a new run). */
  stopJobs(): Promise<void>;
  /** Back to the releases a fresh shop runs; the services rolled back, in order. */
  restoreReleases(who: string): Promise<string[]>;
}

/** What a route tells the run engine after an action succeeded. */
export type OnAction = (a: ActionRecord) => Promise<void>;
