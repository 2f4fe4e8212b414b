import type { Router } from 'express';
import { EmbeddedShopActions } from '../actions/embedded-shop-actions.ts';
import { UnavailableShopActions } from '../actions/unavailable-shop-actions.ts';
import type { ShopActions } from '../actions/shop-actions.ts';
import { actionsRoutes } from '../api/actions-routes.ts';
import { dbRoutes } from '../api/db-routes.ts';
import { jobsRoutes } from '../api/jobs-routes.ts';
import type { ChangeLog } from '../changes/change-log.ts';
import { createDbView } from '../db/db-activity.ts';
import { JobRunner } from '../jobs/job-runner.ts';
import type { ActionRecord } from '../protocol/actions.ts';
import type { Supervisor } from '../supervisor/supervisor.ts';

export interface ShopActionsWiring {
  actions: ShopActions;
  routes: Router[];
  close(): Promise<void>;
}

/**
 * The fix actions beyond knobs, put together for one platform: embedded mode rolls releases and restarts through
 * the supervisor and runs jobs itself; stack mode refuses both (unavailable-shop-actions.ts). The DB view works in
 * both: it only needs the shop's database.
 */
export function createShopActions(o: {
  stack: boolean;
  databaseUrl: string;
  changeLog: ChangeLog;
  /** The supervisor once it exists (it starts after the listener). */
  supervisor: () => Supervisor | null;
  onLine: (service: 'inventory', stream: 'stdout' | 'stderr', line: string) => void;
  onAction: (a: ActionRecord, replaced?: string) => Promise<void>;
}): ShopActionsWiring {
  const jobs = o.stack ? null : new JobRunner({ databaseUrl: o.databaseUrl, onLine: o.onLine });
  const actions: ShopActions = jobs
    ? new EmbeddedShopActions({
        supervisor: () => {
          const s = o.supervisor();
          if (!s) throw new Error('the shop services are still starting');
          return s;
        },
        jobs,
        changeLog: o.changeLog,
      })
    : new UnavailableShopActions();
  const db = createDbView(o.databaseUrl);
  return {
    actions,
    routes: [
      actionsRoutes(actions, o.onAction),
      jobsRoutes({ list: () => actions.jobs(), stop: (name) => actions.stopJob(name) }, (a) => o.onAction(a)),
      dbRoutes(db.pool, (a) => o.onAction(a)),
    ],
    async close() {
      await jobs?.stopAll();
      await db.close();
    },
  };
}
