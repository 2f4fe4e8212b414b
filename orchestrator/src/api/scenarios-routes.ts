import { Router } from 'express';
import { z } from 'zod';
import type { Scenario } from '../scenarios/scenario.ts';
import type { ScenarioProblem } from '../scenarios/loader.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseInput } from './validate.ts';
import type { PublicScenario } from '../protocol/views.ts';

/** What learners see of a scenario: no fix, no checkpoint answers. */
export function publicScenario(s: Scenario): PublicScenario {
  const { spec } = s;
  return {
    id: spec.id,
    title: spec.title,
    difficulty: spec.difficulty,
    estimatedMinutes: spec.estimatedMinutes,
    objectives: spec.objectives,
    story: spec.story,
    slo: spec.slo,
    checkpoints: spec.checkpoints.map((c) => ({
      id: c.id,
      stage: c.stage,
      question: c.question,
      choices: c.choices ?? null,
      freeText: c.pattern !== undefined,
    })),
  };
}

export const scenarioIdParamsSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9/-]{1,120}$/)
      .describe('Scenario id.'),
  })
  .strict();

export function scenariosRoutes(scenarios: () => Scenario[], problems: () => ScenarioProblem[]): Router {
  const r = Router();
  r.get('/scenarios', (_req, res) => {
    res.json({ scenarios: scenarios().map(publicScenario), problems: problems() });
  });
  r.get('/scenarios/:id', (req, res) => {
    const { id } = parseInput(scenarioIdParamsSchema, req.params, 'scenario id');
    const s = scenarios().find((x) => x.id === id);
    if (!s) throw new HttpError(`unknown scenario "${id}"`, { code: 'not_found', status: 404 });
    res.json(publicScenario(s));
  });
  return r;
}
