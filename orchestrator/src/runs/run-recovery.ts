import { knobServices } from '../scenarios/knobs.ts';
import { type ActiveRun, configToReapply } from './active-run.ts';
import type { RunEngineDeps } from './run-engine-deps.ts';
import { restoreShop } from './shop-fault.ts';

/** Puts the shop back to healthy: releases and jobs restored, every service's knobs reset to their defaults. */
export async function restoreHealthy(deps: Pick<RunEngineDeps, 'actions' | 'control'>, who: string): Promise<void> {
  await restoreShop(deps.actions, who);
  for (const s of knobServices) {
    const r = await deps.control.resetConfig(s, who).catch((err: Error & { cause?: { code?: string } }) => {
      // fetch's own message is "fetch failed"; the reason (ECONNREFUSED while it restarts) is in its cause.
      throw new Error(`${s} did not answer (${err.cause?.code ?? err.message})`);
    });
    // 202: accepted, not yet in effect (the service is busy); it takes effect without failing or is applied later.
    if (r.status !== 200 && r.status !== 202) throw new Error(`${s} refused reset: ${r.status}`);
  }
}

/**
 * A restarted service comes back with healthy defaults: put the incident (and the learner's changes) back, on
 * `only` that service or on all of them. A service that refuses is logged, not fatal: the run goes on, and the
 * judge sees whatever the shop now does.
 */
export async function reapplyRunConfig(
  deps: Pick<RunEngineDeps, 'control' | 'log'>,
  run: ActiveRun,
  only?: string,
): Promise<void> {
  for (const state of configToReapply(run, only)) {
    await deps.control
      .applyState(state, 'orchestrator')
      .catch((err) => deps.log?.(`re-applying config failed: ${err.message}`));
  }
}
