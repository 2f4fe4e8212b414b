import { Router } from 'express';
import { serviceParamsSchema } from '../protocol/rest.ts';
import { releaseBodySchema } from '../protocol/actions.ts';
import type { ShopActions } from '../actions/shop-actions.ts';
import type { ActionRecord } from '../protocol/actions.ts';
import { parseInput } from './validate.ts';

/**
 * Fix actions on a service (docs/api.md, "Fix actions"): its releases, a rollout of one, a rolling restart. Each
 * is recorded on the active run's timeline, and the new process gets the run's config back (the incident's and
 * the learner's changes), as after a crash.
 */
export function actionsRoutes(
  actions: ShopActions,
  onAction: (a: ActionRecord, replaced?: string) => Promise<void>,
): Router {
  const r = Router();

  r.get('/services/:name/releases', (req, res) => {
    const { name } = parseInput(serviceParamsSchema, req.params, 'service');
    res.json(actions.releases(name));
  });

  r.post('/services/:name/release', async (req, res) => {
    const { name } = parseInput(serviceParamsSchema, req.params, 'service');
    const { version } = parseInput(releaseBodySchema, req.body, 'release');
    const done = await actions.rollout(name, version, 'learner');
    await onAction(
      { action: 'release', target: name, summary: `${name} release ${done.from} -> ${done.to}`, who: 'learner' },
      name,
    );
    res.json(done);
  });

  r.post('/services/:name/restart', async (req, res) => {
    const { name } = parseInput(serviceParamsSchema, req.params, 'service');
    const done = await actions.restart(name, 'learner');
    await onAction(
      { action: 'restart', target: name, summary: `${name} restarted (new pid ${done.pid})`, who: 'learner' },
      name,
    );
    res.json(done);
  });

  return r;
}
