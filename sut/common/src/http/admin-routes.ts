import type { FastifyInstance } from 'fastify';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import type { ServiceMetrics } from '../metrics.ts';
import { verifyBearer } from '../auth/tokens.ts';

export interface AdminRoutesOptions {
  service: string;
  config: RuntimeConfig<Record<string, unknown>>;
  metrics: ServiceMetrics;
  secret: Uint8Array;
  /** Extra readiness check (e.g. the DB answers); throwing makes /healthz answer 503. */
  ready?: () => Promise<void>;
}

/**
 * Admin routes of a SUT service: never reachable through the user gateway. Reads are open on the internal
 * network; PATCH /config needs a JWT with audience `sut-config`.
 */
export function registerAdminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): void {
  app.get('/healthz', async (_req, reply) => {
    try {
      await opts.ready?.();
      return { status: 'ok', service: opts.service };
    } catch (err) {
      return reply.code(503).send({ status: 'unavailable', service: opts.service, reason: (err as Error).message });
    }
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  app.get('/config', async () => opts.config.get());
  app.get('/config/schema', async () => opts.config.jsonSchema());
  app.patch('/config', async (req) => {
    const who = await verifyBearer(req.headers.authorization, opts.secret);
    return opts.config.patch(req.body, who);
  });
  app.post('/config/reset', async (req) => {
    const who = await verifyBearer(req.headers.authorization, opts.secret);
    return opts.config.reset(who);
  });
}
