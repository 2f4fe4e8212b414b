// The admin thread of a SUT service (a worker_threads Worker started by admin-thread.ts): serves /config,
// /config/schema, /healthz and /metrics on the admin port from its own event loop, so they answer while the
// service's main thread is saturated by shop traffic.
import { parentPort, workerData } from 'node:worker_threads';
import type { z } from 'zod';
import { Gauge, Histogram } from 'prom-client';
import type { FastifyListenOptions, FastifyReply, FastifyRequest } from 'fastify';
import { createLogger } from '../logger.ts';
import { latencyBuckets, openMetricsRegistry } from '../metrics.ts';
import { createServiceApp } from '../http/service-app.ts';
import { configWriteGuard } from '../auth/config-write-guard.ts';
import { configJsonSchema } from '../config/runtime-config.ts';
import { ConfigWriter, fromWire, toWire } from './config-writer.ts';
import { SharedState } from './shared-state.ts';
import type { AdminWorkerData, ToMain, ToWorker } from './messages.ts';

/** /healthz answers 503 when the main thread's event loop has not turned for this long. */
const heartbeatLimitMs = 5000;
/** … or when its readiness check (the DB answers) has not completed for this long. */
const readyLimitMs = 15_000;
/** A scrape waits this long for a fresh exposition from the main thread, then serves the latest it has. */
const metricsBudgetMs = 250;

const d = workerData as AdminWorkerData;
const port = parentPort!;
const send = (m: ToMain) => port.postMessage(m);
const shared = new SharedState(d.buffer);
const logger = createLogger(d.service, d.logLevel).child({ thread: 'admin' });
const strict = ((await import(d.schemaModule)) as Record<string, z.ZodObject>)[d.schemaExport].strict();

let nextId = 1;
const waiting = new Map<number, (m: ToWorker) => void>();
const ask = (m: ToMain & { id: number }) =>
  new Promise<ToWorker>((resolve) => {
    waiting.set(m.id, resolve);
    send(m);
  });

const writer = new ConfigWriter({
  strict,
  defaults: strict.parse({}) as Record<string, unknown>,
  initial: d.initial,
  resourceKeys: d.resourceKeys,
  shared,
  propose: async (next, who) => {
    const r = await ask({ type: 'apply', id: nextId++, next, who });
    if (r.type !== 'applied') throw new Error(`unexpected reply ${r.type}`);
    if (!r.ok) throw fromWire(r.error);
    return r.changes;
  },
  log: (msg, fields) => logger.error(fields, msg),
});

let readiness: { ok: boolean; reason?: string; at: number } | null = null;
let exposition: { text: string; contentType: string; at: number } | null = null;

port.on('message', (m: ToWorker) => {
  if (m.type === 'ready') readiness = m;
  else if (m.type === 'write') void write(m);
  else {
    if (m.type === 'metrics') exposition = { text: m.text, contentType: m.contentType, at: Date.now() };
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  }
});

/** A write the main thread received on its shop port (compatibility routes): same writer, same rules. */
async function write(m: Extract<ToWorker, { type: 'write' }>) {
  try {
    const result = m.op === 'patch' ? await writer.patch(m.patch, m.who) : await writer.reset(m.who);
    send({ type: 'write_result', id: m.id, ok: true, result });
  } catch (err) {
    send({ type: 'write_result', id: m.id, ok: false, error: toWire(err) });
  }
}

const registry = openMetricsRegistry();
registry.setDefaultLabels({ service: d.service });
const httpDuration = new Histogram({
  name: 'admin_http_request_duration_seconds',
  help: 'Duration of requests served by the admin thread, by route template.',
  labelNames: ['method', 'route', 'status_code'],
  buckets: latencyBuckets,
  registers: [registry],
});
new Gauge({
  name: 'admin_main_thread_heartbeat_age_seconds',
  help: "Time since the main thread's event loop last turned, seen by the admin thread.",
  registers: [registry],
  collect() {
    this.set(shared.heartbeatAgeMs() / 1000);
  },
});
new Gauge({
  name: 'admin_metrics_snapshot_age_seconds',
  help: "Age of the main thread's metrics served in this scrape (0 when it answered in time).",
  registers: [registry],
  collect() {
    this.set(exposition ? (Date.now() - exposition.at) / 1000 : 0);
  },
});
new Gauge({
  name: 'admin_config_version',
  help: 'Config versions: committed by the admin thread, adopted by the main thread.',
  labelNames: ['state'],
  registers: [registry],
  collect() {
    this.set({ state: 'committed' }, shared.version());
    this.set({ state: 'adopted' }, shared.adopted());
  },
});

const app = createServiceApp({ logger, metrics: { httpDuration } });
const authorizeWrite = configWriteGuard(d.secret);
const writers = new WeakMap<object, string>();
const onRequest = async (req: FastifyRequest, reply: FastifyReply) =>
  void writers.set(req, await authorizeWrite(req, reply));
const answer = (reply: FastifyReply, r: Awaited<ReturnType<ConfigWriter['patch']>>) =>
  reply.code(r.pending ? 202 : 200).send(r);

app.get('/healthz', async (_req, reply) => {
  const body = {
    service: d.service,
    instance: d.instance,
    mainThread: { heartbeatAgeMs: shared.heartbeatAgeMs() },
    config: { version: shared.version(), adopted: shared.adopted() },
  };
  const reason =
    body.mainThread.heartbeatAgeMs > heartbeatLimitMs
      ? `main thread unresponsive for ${body.mainThread.heartbeatAgeMs} ms`
      : !readiness
        ? 'starting: readiness not checked yet'
        : !readiness.ok
          ? (readiness.reason ?? 'not ready')
          : Date.now() - readiness.at > readyLimitMs
            ? `readiness check has not completed for ${Date.now() - readiness.at} ms`
            : null;
  if (reason) return reply.code(503).send({ status: 'unavailable', reason, ...body });
  return { status: 'ok', ...body };
});
app.get('/metrics', async (_req, reply) => {
  const id = nextId++;
  const fresh = await Promise.race([ask({ type: 'metrics', id }), new Promise((r) => setTimeout(r, metricsBudgetMs))]);
  // A late answer still refreshes the snapshot (see the message handler); nobody waits for it any more.
  waiting.delete(id);
  if (!fresh && !exposition)
    return reply
      .code(503)
      .send({ error: { code: 'metrics_unavailable', message: 'the main thread has not published metrics yet' } });
  reply.header('content-type', exposition!.contentType);
  // Two OpenMetrics documents made one: a document ends with a single `# EOF`, the admin thread's.
  return exposition!.text.replace(/# EOF\n?$/, '') + (await registry.metrics());
});
app.get('/config', async () => writer.get());
app.get('/config/schema', async () => configJsonSchema(strict));
app.patch('/config', { onRequest }, async (req, reply) =>
  answer(reply, await writer.patch(req.body, writers.get(req) ?? 'unknown')),
);
app.post('/config/reset', { onRequest }, async (req, reply) =>
  answer(reply, await writer.reset(writers.get(req) ?? 'unknown')),
);

try {
  await app.listen({ host: d.host, port: d.port, reusePort: d.reusePort } as FastifyListenOptions); // see http/lifecycle.ts
  send({ type: 'listening', port: (app.server.address() as { port: number }).port });
} catch (err) {
  send({ type: 'listen_failed', code: (err as NodeJS.ErrnoException).code, message: (err as Error).message });
}
