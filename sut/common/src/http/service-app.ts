import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fastify, type FastifyInstance, type FastifyError } from 'fastify';
import { trace } from '@opentelemetry/api';
import { ZodError } from 'zod';
import { HttpError, issuesFrom } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { type ServiceMetrics, traceExemplar } from '../metrics.ts';
import { nameServerSpan, traceRequests } from '../tracing/http-spans.ts';
import { ClientGoneError, trackRequestSignals } from './request-signal.ts';

/** Largest request body any SUT route accepts; bigger bodies get 413. */
export const bodyLimitBytes = 64 * 1024;

export interface ServiceAppOptions {
  logger: Logger;
  /** httpAbandoned is counted where given (the admin thread has no use for it). */
  metrics: Pick<ServiceMetrics, 'httpDuration'> & Partial<Pick<ServiceMetrics, 'httpAbandoned'>>;
  /**
   * Sees each request before fastify does, inside its span, and returns true when it has answered it (the
   * gateway's load shedding); fastify handles the others.
   */
  frontDoor?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/**
 * A fastify app with what every SUT listener shares: a span per request (tracing/http-spans.ts), the JSON error
 * contract, one access log line per request, the request-duration histogram by route template, and span names
 * carrying the route.
 */
export function createServiceApp(opts: ServiceAppOptions): FastifyInstance {
  const { frontDoor } = opts;
  const app = fastify({
    logger: false,
    bodyLimit: bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: true,
    // Our own server, so each request runs inside its span from the first byte (the front door too). fastify
    // leaves a factory's server as it is made: its timeouts are set here as fastify sets those of its own
    // (keep-alive 72 s, no request or socket timeout), not left at Node's (keep-alive 5 s).
    serverFactory: (handler, options) => {
      const server = createServer(
        traceRequests(frontDoor ? (req, res) => void (frontDoor(req, res) || handler(req, res)) : handler),
      );
      const o = options as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
      server.requestTimeout = o.requestTimeout ?? 0;
      server.setTimeout(o.connectionTimeout ?? 0);
      return server;
    },
  });
  const { logger, metrics } = opts;
  trackRequestSignals(app);

  app.addHook('onRequest', async (req) => {
    const route = req.routeOptions.url;
    if (route) nameServerSpan(req.method, route);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics' || route === '/healthz') return;
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe({
      labels: { method: req.method, route, status_code: String(reply.statusCode) },
      value: seconds,
      exemplarLabels: traceExemplar(),
    });
    logger.info(
      {
        method: req.method,
        route,
        url: req.url.slice(0, 200),
        status_code: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request completed',
    );
  });

  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({
      error: { code: 'not_found', message: `no route for ${req.method} ${req.url.split('?')[0].slice(0, 200)}` },
    });
  });

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    // Nobody reads this answer: no error log per abandoned request (an overload makes thousands); the metrics
    // and the request log count them as 499, nginx's "client closed request".
    if (err instanceof ClientGoneError) {
      metrics.httpAbandoned?.inc({ route: req.routeOptions.url ?? 'unmatched' });
      return reply.code(499).send({ error: { code: 'client_closed', message: err.message } });
    }
    if (err instanceof HttpError) {
      if (err.status >= 500) logger.error({ err }, err.message);
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, issues: err.issues } });
    }
    if (err instanceof ZodError) {
      return reply
        .code(400)
        .send({ error: { code: 'invalid_request', message: 'invalid request', issues: issuesFrom(err.issues) } });
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply
        .code(status)
        .send({ error: { code: (err as FastifyError).code ?? 'bad_request', message: err.message } });
    }
    logger.error({ err, url: req.url }, 'unhandled error');
    trace.getActiveSpan()?.recordException(err);
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });

  return app;
}

/** Parses `input` with a zod schema, turning failures into one 400 with every field's reason. */
export function parseOr400<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } },
  input: unknown,
  what: string,
): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new HttpError(`invalid ${what}`, { code: 'invalid_request', status: 400, issues: issuesFrom(r.error.issues) });
}
