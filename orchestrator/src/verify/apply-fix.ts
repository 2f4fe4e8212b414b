import { fixConfig, type Fix, type FixAction } from '../scenarios/scenario-schema.ts';
import type { DbActivityView } from '../protocol/db-activity.ts';
import type { RestClient } from './rest-client.ts';
import { applyBudgetMs } from '@observastack/sut-common/admin/config-writer.ts';

/** Every fix PATCH (wrong or documented) must be answered this soon, however busy the service is (issue 15). */
export const fixAnswerBudgetMs = 2000;
/**
 * Knobs whose change is real work the answer waits for, with their own budget: stockIndex builds (or drops) an
 * index over 500k stock rows with CREATE INDEX CONCURRENTLY, which waits for the scans in flight twice and reads
 * the table twice. Alone that is 1–3 s; during db-slow-query after the wrong fix, beside ~35 sequential scans on
 * a database that yields to the platform (`server-priority.ts`), it took 6.6–10.2 s on 2 cores. The service
 * itself answers within `applyBudgetMs` (202 and `pending` past it), so that is the budget.
 */
export const slowApplyBudgetMs: Readonly<Record<string, number>> = { stockIndex: applyBudgetMs };
/**
 * Actions that wait for processes: a rollout or a restart starts a process, waits for it to be healthy and for
 * the old one to drain (up to its 5 s grace).
 */
export const actionBudgetMs: Readonly<Record<FixAction['action'], number>> = {
  config: fixAnswerBudgetMs,
  restart: 15_000,
  release: 15_000,
  'stop-job': 8000,
  'terminate-backend': fixAnswerBudgetMs,
};

/** One request of a fix, how long it took to answer and the budget it had. */
export interface FixStep {
  what: string;
  ms: number;
  budgetMs: number;
}

/**
 * Takes a scenario's fix as a learner would, through the same routes the widgets call: a config state is PATCHed
 * service by service; actions are taken in order (`terminate-backend: blockers` reads the DB view first and
 * terminates every backend that blocks another, as a learner picks them there).
 */
export async function applyFix(rest: RestClient, fix: Fix): Promise<FixStep[]> {
  const steps: FixStep[] = [];
  const timed = async (what: string, budgetMs: number, send: () => Promise<unknown>) => {
    const t0 = performance.now();
    await send();
    steps.push({ what, ms: Math.round(performance.now() - t0), budgetMs });
  };
  const patch = async (state: ReturnType<typeof fixConfig>[number]) => {
    for (const [service, knobs] of Object.entries(state)) {
      const budget = Math.max(fixAnswerBudgetMs, ...Object.keys(knobs).map((k) => slowApplyBudgetMs[k] ?? 0));
      await timed(`PATCH ${service} ${JSON.stringify(knobs)}`, budget, () =>
        rest.ok('PATCH', `/services/${service}/config`, knobs),
      );
    }
  };
  if (!Array.isArray(fix)) {
    await patch(fix);
    return steps;
  }
  for (const a of fix) {
    const budget = actionBudgetMs[a.action];
    switch (a.action) {
      case 'config':
        await patch(a.config);
        break;
      case 'restart':
        await timed(`restart ${a.service}`, budget, () => rest.ok('POST', `/services/${a.service}/restart`));
        break;
      case 'release':
        await timed(`roll out ${a.service} ${a.version}`, budget, () =>
          rest.ok('POST', `/services/${a.service}/release`, { version: a.version }),
        );
        break;
      case 'stop-job':
        await timed(`stop job ${a.job}`, budget, () => rest.ok('POST', `/jobs/${a.job}/stop`));
        break;
      case 'terminate-backend': {
        const view = await rest.ok<DbActivityView>('GET', '/db/activity');
        const blockers = view.backends.filter((b) => b.blocking.length > 0);
        if (blockers.length === 0) throw new Error('the DB view shows no backend that blocks another');
        for (const b of blockers)
          await timed(`terminate backend ${b.pid} (${b.application})`, budget, () =>
            rest.ok('POST', `/db/backends/${b.pid}/terminate`),
          );
        break;
      }
    }
  }
  return steps;
}
