import { Router } from 'express';
import type { SutControl } from '../services/sut-control.ts';
import type { RunEngine } from '../runs/run-engine.ts';
import type { ServiceStatus } from '../protocol/ws-messages.ts';
import { configPatchBodySchema, serviceNames, serviceParamsSchema } from '../protocol/rest.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseInput } from './validate.ts';
import type { ServiceView } from '../protocol/views.ts';

export function servicesRoutes(control: SutControl, engine: RunEngine, statuses: () => ServiceStatus[]): Router {
  const r = Router();

  const describe = async (name: (typeof serviceNames)[number]): Promise<ServiceView> => {
    const [health, config, schema] = await Promise.all([
      control.health(name),
      control.getConfig(name).catch(() => null),
      control.getSchema(name).catch(() => null),
    ]);
    return {
      name,
      healthy: health.status === 200,
      process: statuses().find((s) => s.name === name) ?? null,
      config: config?.status === 200 ? config.body : null,
      schema: schema?.status === 200 ? schema.body : null,
    };
  };

  r.get('/services', async (_req, res) => {
    res.json({ services: await Promise.all(serviceNames.map(describe)) });
  });

  r.get('/services/:name', async (req, res) => {
    const { name } = parseInput(serviceParamsSchema, req.params, 'service');
    res.json(await describe(name));
  });

  /** A learner's fix: forwarded with a minted token, recorded on the active run's timeline. */
  r.patch('/services/:name/config', async (req, res) => {
    const { name } = parseInput(serviceParamsSchema, req.params, 'service');
    const patch = parseInput(configPatchBodySchema, req.body, 'config patch');
    if (Object.keys(patch).length === 0)
      throw new HttpError('empty config patch', {
        code: 'invalid_request',
        status: 400,
        issues: [{ path: '(root)', message: 'name at least one knob' }],
      });
    const reply = await control.patchConfig(name, patch, 'learner').catch((err) => {
      throw new HttpError(`${name} is unreachable: ${(err as Error).message}`, {
        code: 'service_unavailable',
        status: 503,
      });
    });
    // 202: accepted but not yet in effect (the service's main thread is busy or still applying it); it is the
    // learner's change all the same, and the body says what is pending.
    if (reply.status !== 200 && reply.status !== 202) {
      const e = reply.body?.error ?? {};
      throw new HttpError(e.message ?? `${name} refused the change`, {
        code: e.code ?? 'refused',
        status: reply.status >= 500 ? 502 : reply.status,
        issues: e.issues,
      });
    }
    await engine.recordChange(name, patch, reply.body.changes, 'learner');
    res.status(reply.status).json(reply.body);
  });

  return r;
}
