import { Router } from 'express';
import type pg from 'pg';
import { dbActivity, terminateBackend } from '../db/db-activity.ts';
import type { ActionRecord } from '../protocol/actions.ts';
import { backendParamsSchema } from '../protocol/db-activity.ts';
import { parseInput } from './validate.ts';

/**
 * The DB view: GET /api/db/activity (the shop database's backends and locks, who blocks whom) and
 * POST /api/db/backends/:pid/terminate (pg_terminate_backend on one of them, recorded as the learner's action).
 */
export function dbRoutes(pool: pg.Pool, onAction: (a: ActionRecord) => Promise<void>): Router {
  const r = Router();
  r.get('/db/activity', async (_req, res) => {
    res.json(await dbActivity(pool));
  });
  r.post('/db/backends/:pid/terminate', async (req, res) => {
    const { pid } = parseInput(backendParamsSchema, req.params, 'backend');
    const out = await terminateBackend(pool, pid);
    await onAction({
      action: 'terminate-backend',
      target: String(pid),
      summary: `terminated PostgreSQL backend ${pid} (${out.application})`,
      who: 'learner',
    });
    res.json(out);
  });
  return r;
}
