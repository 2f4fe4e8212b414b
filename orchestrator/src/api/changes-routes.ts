import { Router } from 'express';
import type { ChangeLog } from '../changes/change-log.ts';
import { listChangesQuerySchema } from '../protocol/changes.ts';
import { parseInput } from './validate.ts';

/** GET /api/changes: the shop's change log, newest first (deploys and config pushes; see change-log.ts). */
export function changesRoutes(log: ChangeLog): Router {
  const r = Router();
  r.get('/changes', (req, res) => {
    const { limit } = parseInput(listChangesQuerySchema, req.query, 'query');
    res.json({ changes: log.list(limit) });
  });
  return r;
}
