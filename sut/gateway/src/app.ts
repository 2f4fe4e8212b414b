import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createServiceApp } from '@observastack/sut-common/http/service-app.ts';
import { createRuntimeConfig, type RuntimeConfig } from '@observastack/sut-common/config/runtime-config.ts';
import { createServiceMetrics, type ServiceMetrics } from '@observastack/sut-common/metrics.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';
import type { Logger } from '@observastack/sut-common/logger.ts';
import { Counter } from 'prom-client';
import { gatewayConfigSchema, type GatewayConfig } from './runtime-config.ts';
import { UpstreamPool } from './upstream.ts';
import { TokenBucket } from '@observastack/sut-common/concurrency/token-bucket.ts';
import { createLoadShedder } from './load-shedder.ts';

export interface GatewayOptions {
  apiUrl: string;
  logger: Logger;
  secret: Uint8Array;
  version?: string;
}

export interface Gateway {
  /** User traffic: proxies /api/* to the api service, nothing else. */
  userApp: FastifyInstance;
  config: RuntimeConfig<GatewayConfig>;
  /** Served on the admin port by the admin thread (`server.ts`): /config, /config/schema, /metrics, /healthz. */
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

// Hop-by-hop and routing headers are not forwarded; traceparent is added per call (tracing/http-spans.ts).
const forwardedRequestHeaders = ['content-type', 'accept', 'user-agent', 'x-request-id'];
const unsafePath = /(\.\.|%2e|%2f|%5c|\\|\/\/)/i;
const upstreamTimeout = (ms: number) =>
  Object.assign(new Error(`no answer from api within ${ms} ms`), { name: 'TimeoutError' });

export async function buildGateway(opts: GatewayOptions): Promise<Gateway> {
  const metrics = createServiceMetrics('gateway');
  metrics.buildInfo.set({ version: opts.version ?? '0.1.0' }, 1);
  const rateLimited = new Counter({
    name: 'gateway_rate_limited_total',
    help: 'Requests answered 429 by rateLimitRps.',
    registers: [metrics.registry],
  });
  // rateLimitRps: one shared budget for all users, a burst of one second's worth; 0 turns it off.
  const bucket = new TokenBucket(null);
  let upstream: UpstreamPool | undefined;

  const config = await createRuntimeConfig({
    schema: gatewayConfigSchema,
    logger: opts.logger,
    metrics,
    resourceKeys: ['upstreamPoolSize'],
    apply: (next) => {
      upstream ??= new UpstreamPool(opts.apiUrl, next.upstreamPoolSize, metrics);
      upstream.resize(next.upstreamPoolSize);
      bucket.setLimit(next.rateLimitRps > 0 ? { burst: next.rateLimitRps, perSecond: next.rateLimitRps } : null);
    },
  });
  const pool = upstream!;

  const shedder = createLoadShedder({ bucket, adopt: () => config.get(), rateLimited, metrics, logger: opts.logger });
  const userApp = createServiceApp({
    logger: opts.logger,
    metrics,
    frontDoor: (req, res) => shedder.shed(req, res),
  });
  userApp.removeAllContentTypeParsers();
  userApp.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  const proxy = async (req: FastifyRequest, reply: FastifyReply) => {
    if (unsafePath.test(req.url.split('?')[0])) {
      throw new HttpError('path not allowed', { code: 'bad_path', status: 400 });
    }
    // rateLimitRps was applied before fastify saw this request (load-shedder.ts).
    const cfg = config.get();
    const headers: Record<string, string> = {};
    for (const h of forwardedRequestHeaders) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    const idempotent = req.method === 'GET' || req.method === 'HEAD';
    const attempts = 1 + (idempotent ? cfg.retryCount : 0);
    // A user who gave up (closed the connection) no longer needs an answer: drop the queued or running
    // upstream request instead of spending api capacity on it. One AbortController and one timer per attempt:
    // AbortSignal.any + AbortSignal.timeout cost ~5 % of the gateway's CPU per request (docs/performance.md).
    let userGone = false;
    let attemptAbort: AbortController | undefined;
    reply.raw.once('close', () => {
      if (reply.raw.writableFinished) return;
      userGone = true;
      attemptAbort?.abort(new Error('client closed the connection'));
    });
    for (let attempt = 1; ; attempt++) {
      if (userGone) return reply;
      const abort = (attemptAbort = new AbortController());
      const timer = setTimeout(() => abort.abort(upstreamTimeout(cfg.upstreamTimeoutMs)), cfg.upstreamTimeoutMs);
      try {
        const res = await pool.request({
          path: req.url,
          method: req.method as 'GET',
          headers,
          body: Buffer.isBuffer(req.body) ? req.body : null,
          signal: abort.signal,
        });
        const body = res.body;
        if (res.statusCode >= 500) pool.errors.inc({ kind: 'status' });
        const type = res.headers['content-type'];
        if (typeof type === 'string') reply.header('content-type', type);
        const retryAfter = res.headers['retry-after'];
        if (typeof retryAfter === 'string') reply.header('retry-after', retryAfter);
        return reply.code(res.statusCode).send(body);
      } catch (err) {
        if (userGone) return reply;
        const timeout = (err as Error).name === 'TimeoutError' || (err as Error).name === 'AbortError';
        pool.errors.inc({ kind: timeout ? 'timeout' : 'connection' });
        if (attempt < attempts) {
          pool.retries.inc();
          continue;
        }
        throw timeout
          ? new HttpError(
              `api did not answer within ${cfg.upstreamTimeoutMs} ms (upstream pool ${cfg.upstreamPoolSize}, ${pool.pending()} waiting)`,
              { code: 'upstream_timeout', status: 504, cause: err },
            )
          : new HttpError('api unreachable', { code: 'upstream_unavailable', status: 502, cause: err });
      } finally {
        clearTimeout(timer);
      }
    }
  };
  userApp.all('/api/*', proxy);

  return {
    userApp,
    config,
    metrics,
    close: async () => {
      shedder.stop();
      await userApp.close();
      await pool.close();
    },
  };
}
