// Which scenario a run runs and with what load on this machine, or why it cannot run here: an unknown scenario,
// one beyond this machine's capacity, one whose fault needs shop actions this mode does not have.
import { CapacityRefusal, effectiveLoad, type EffectiveLoad } from '../calibration/effective-load.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import type { RunEngineDeps } from './run-engine-deps.ts';
import { RunRefusal } from './run-refusal.ts';
import { shopFaultRefusal } from './shop-fault.ts';
import { pickSurprise } from './surprise.ts';

/** What a start runs: the scenario it names, or for a surprise one picked from its seed (random unless given). */
export function admitStart(
  deps: Pick<RunEngineDeps, 'scenarios' | 'loadFor' | 'actions'>,
  body: { scenarioId: string } | { surprise: true; seed?: number },
): { surprise: boolean; seed: number | null; scenario: Scenario; load: EffectiveLoad } {
  const surprise = 'surprise' in body;
  const seed = surprise ? (body.seed ?? Math.floor(Math.random() * 2 ** 31)) : null;
  const id = surprise
    ? pickSurprise(
        deps.scenarios().map((s) => s.id),
        seed!,
      )
    : body.scenarioId;
  const scenario = findScenario(deps, id);
  if (!scenario) throw new RunRefusal('unknown_scenario', `unknown scenario "${id}"`);
  const load = scenarioLoad(deps, scenario);
  const unavailable = shopFaultRefusal(scenario, deps.actions);
  if (unavailable) throw new RunRefusal('not_available', unavailable);
  return { surprise, seed, scenario, load };
}

/** The library's scenario with this id, if it still has one. */
export function findScenario(deps: Pick<RunEngineDeps, 'scenarios'>, id: string): Scenario | undefined {
  return deps.scenarios().find((s) => s.id === id);
}

/** The scenario's load here; a scenario this machine cannot run honestly is refused (beyond_capacity). */
export function scenarioLoad(deps: Pick<RunEngineDeps, 'loadFor'>, scenario: Scenario): EffectiveLoad {
  try {
    return deps.loadFor ? deps.loadFor(scenario) : effectiveLoad(scenario, null);
  } catch (err) {
    if (err instanceof CapacityRefusal) throw new RunRefusal('beyond_capacity', err.message);
    throw err;
  }
}
