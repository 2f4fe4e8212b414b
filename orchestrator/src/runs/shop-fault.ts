import type { ShopActions } from '../actions/shop-actions.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { ActiveRun } from './active-run.ts';

/**
 * The part of a fault that is not config: a release the pipeline rolls out, a job someone scheduled. Neither is
 * a knob; both need the shop actions (the supervisor, the job runner), which stack mode does not have.
 */

/** Why this scenario cannot run here (its fault needs actions this mode cannot take), or null. */
export function shopFaultRefusal(scenario: Scenario, actions: ShopActions | undefined): string | null {
  const { release, job } = scenario.spec.fault;
  if (!release && !job) return null;
  const why = actions ? actions.unavailable() : 'this platform has no shop actions';
  return why && `"${scenario.spec.title}" rolls out a release or runs a job: ${why}`;
}

/** Before a run and on reset: no job runs and every service runs its default release. */
export async function restoreShop(actions: ShopActions | undefined, who: string): Promise<void> {
  if (!actions || actions.unavailable() !== null) return;
  await actions.stopJobs();
  await actions.restoreReleases(who);
}

/** The incident starts: the release goes out (shown as the release pipeline's deploy), the job starts. */
export async function applyShopFault(scenario: Scenario, actions: ShopActions | undefined): Promise<void> {
  const { release, job } = scenario.spec.fault;
  if (release) await actions!.rollout(release.service, release.version, 'scenario', release.note);
  if (job) await actions!.startJob(job);
}

/**
 * After an orchestrator restart the shop starts on its default release with no job running: put the fault's
 * release and job back, unless the learner's own action already ended them (a rollout, a job stopped or its
 * backend terminated).
 */
export async function reapplyShopFault(run: ActiveRun, actions: ShopActions | undefined): Promise<void> {
  if (!actions || actions.unavailable() !== null) return;
  const { release, job } = run.scenario.spec.fault;
  const taken = new Set(run.events.flatMap((e) => (e.type === 'action_taken' ? [e.data.action] : [])));
  if (release && !taken.has('release') && actions.releases(release.service).current !== release.version)
    await actions.rollout(release.service, release.version, 'orchestrator');
  if (job && !taken.has('stop-job') && !taken.has('terminate-backend')) await actions.startJob(job);
}
