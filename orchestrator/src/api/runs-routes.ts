import { Router } from 'express';
import type { RunEngine } from '../runs/run-engine.ts';
import type { RunStore } from '../store/run-store.ts';
import type { Scenario } from '../scenarios/scenario.ts';
import {
  checkpointBodySchema,
  checkpointParamsSchema,
  listRunsQuerySchema,
  runIdParamsSchema,
  startRunBodySchema,
} from '../protocol/rest.ts';
import { toRunView } from '../runs/run-view.ts';
import { buildPostmortem } from '../runs/postmortem.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseInput } from './validate.ts';

/**
 * `notReady` names what a run still waits for (services starting or down, the capacity probe measuring the
 * machine), or null when a run can start: a run requested meanwhile gets 503 with Retry-After, never a
 * half-started run.
 */
export function runsRoutes(
  engine: RunEngine,
  store: RunStore,
  scenarios: () => Scenario[],
  notReady: () => string | null = () => null,
): Router {
  const r = Router();
  const find = (id: string) => scenarios().find((s) => s.id === id);

  r.post('/runs', async (req, res) => {
    const body = parseInput(startRunBodySchema, req.body, 'run request');
    const waiting = notReady();
    if (waiting) {
      res.set('Retry-After', '5');
      throw new HttpError(`the platform is not ready: ${waiting}; try again in a few seconds`, {
        code: 'not_ready',
        status: 503,
      });
    }
    res.status(201).json(await engine.start(body));
  });

  r.get('/runs', async (req, res) => {
    const { limit } = parseInput(listRunsQuerySchema, req.query, 'query');
    const runs = await store.list(limit);
    res.json({
      runs: runs.map((rec) =>
        engine.activeView()?.id === rec.id ? engine.activeView() : toRunView(rec, find(rec.scenarioId)),
      ),
    });
  });

  r.get('/runs/active', (_req, res) => {
    res.json({ run: engine.activeView(), events: engine.activeEvents(), hints: engine.activeHints() });
  });

  r.get('/runs/:id', async (req, res) => {
    const { id } = parseInput(runIdParamsSchema, req.params, 'run id');
    const active = engine.activeView();
    if (active?.id === id) return void res.json({ run: active, events: engine.activeEvents() });
    const rec = await store.get(id);
    if (!rec) throw new HttpError(`no run ${id}`, { code: 'not_found', status: 404 });
    res.json({ run: toRunView(rec, find(rec.scenarioId)), events: await store.events(id) });
  });

  r.get('/runs/:id/postmortem', async (req, res) => {
    const { id } = parseInput(runIdParamsSchema, req.params, 'run id');
    const rec = await store.get(id);
    if (!rec) throw new HttpError(`no run ${id}`, { code: 'not_found', status: 404 });
    res.json(buildPostmortem(rec, find(rec.scenarioId), await store.events(id)));
  });

  r.post('/runs/:id/stop', async (req, res) => {
    const { id } = parseInput(runIdParamsSchema, req.params, 'run id');
    res.json(await engine.stop(id));
  });

  r.post('/runs/:id/checkpoints/:checkpointId', async (req, res) => {
    const { id, checkpointId } = parseInput(checkpointParamsSchema, req.params, 'checkpoint');
    const { answer } = parseInput(checkpointBodySchema, req.body, 'answer');
    res.json(await engine.answerCheckpoint(id, checkpointId, answer));
  });

  r.post('/runs/:id/page/ack', async (req, res) => {
    const { id } = parseInput(runIdParamsSchema, req.params, 'run id');
    res.json(await engine.acknowledgePage(id));
  });

  r.post('/reset', async (_req, res) => {
    await engine.reset();
    res.json({ ok: true });
  });

  return r;
}
