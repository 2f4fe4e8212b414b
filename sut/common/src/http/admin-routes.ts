import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RuntimeConfig } from '../config/runtime-config.ts';
import type { ServiceMetrics } from '../metrics.ts';
import { configWriteGuard } from '../auth/config-write-guard.ts';
import { processInstance } from './process-instance.ts';

export interface AdminRoutesOptions {
  service: string;
  config: RuntimeConfig<Record<string, unknown>>;
  metrics: ServiceMetrics;
  secret: Uint8Array;
  /** Extra readiness check (e.g. the DB answers); throwing makes /healthz answer 503. */
  ready?: () => Promise<void>;
}

/**
 * Admin routes of a SUT service on its main thread: never reachable through the user gateway. The api and the
 * inventory keep them on their shop port for compatibility; the admin port is served by the admin thread
 * (`../admin/admin-worker.ts`), which also makes every write (these forward to it once it runs). Reads are open on the internal
 * network; PATCH /config and POST /config/reset need a JWT with audience `sut-config` and are rate limited.
 */
export function registerAdminRoutes(app: FastifyInstance, opts: AdminRoutesOptions): void {
  // Writers are checked in onRequest, before the body is even read: a stranger's body is never parsed.
  const authorizeWrite = configWriteGuard(opts.secret);
  const writers = new WeakMap<object, string>();
  const onRequest = async (req: FastifyRequest, reply: FastifyReply) =>
    void writers.set(req, await authorizeWrite(req, reply));
  app.get('/healthz', async (_req, reply) => {
    try {
      await opts.ready?.();
      return { status: 'ok', service: opts.service, instance: processInstance };
    } catch (err) {
      const reason = (err as Error).message;
      return reply.code(503).send({ status: 'unavailable', service: opts.service, instance: processInstance, reason });
    }
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.metrics.registry.contentType);
    return opts.metrics.registry.metrics();
  });
  app.get('/config', async () => opts.config.get());
  app.get('/config/schema', async () => opts.config.jsonSchema());
  // 202 when the change is accepted but not yet in effect (see the admin thread in docs/architecture.md).
  const answer = (reply: FastifyReply, r: { pending?: string }) => reply.code(r.pending ? 202 : 200).send(r);
  app.patch('/config', { onRequest }, async (req, reply) =>
    answer(reply, await opts.config.patch(req.body, writers.get(req) ?? 'unknown')),
  );
  app.post('/config/reset', { onRequest }, async (req, reply) =>
    answer(reply, await opts.config.reset(writers.get(req) ?? 'unknown')),
  );
}
