// The services' HTTP spans: a SERVER span for each request a service receives, a CLIENT span for each call it
// makes to the next service, and W3C trace context carried across both, following OpenTelemetry's HTTP semantic
// conventions (the stable `http.*`, `url.*`, `server.*` attributes).
//
// Why by hand and not @opentelemetry/instrumentation-http and -undici (which did this until 2026-12-05): those
// do their full work for every request, sampled or not, and 80 % of the shop's requests are not sampled. They
// parse each URL, build a dozen attributes for the sampler, bind the request's and the response's event emitters
// to the context and record HTTP metrics nobody reads here. Measured on the catalogue mix through the gateway at
// 1500 req/s (bench/sut-throughput.ts, 2 cores, 20 % sampled; with the pg spans of db/pool.ts): CPU per request
// gateway 0.39 -> 0.24 ms, api 0.46 -> 0.35 ms; 1500 req/s served at p99 39-59 ms where 1250 had queued
// (docs/performance.md). Here an unsampled request costs one context extraction, one non-recording span (its ids
// still reach the logs and the next service) and one header; attributes, listeners and the span's end only exist
// for a sampled one.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { type Answer, type ExchangeOptions, exchange } from '../http/exchange.ts';

const tracer = trace.getTracer('observastack-http');

/** Paths scraped and probed every second: never traced. */
const untraced = new Set(['/metrics', '/healthz']);

function splitUrl(url: string): { path: string; query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * Wraps a server's request listener: each request runs inside a SERVER span continuing the caller's trace
 * (`traceparent`), or a new trace the sampler decides on. The route template is added later, once the router
 * knows it (`nameServerSpan`).
 */
export function traceRequests(listener: RequestListener): RequestListener {
  return (req, res) => {
    const { path, query } = splitUrl(req.url ?? '/');
    if (untraced.has(path)) {
      listener(req, res);
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = req.method ?? 'GET';
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) recordServerSpan(span, req, res, method, path, query);
    context.with(trace.setSpan(parent, span), listener, undefined, req, res);
  };
}

function recordServerSpan(
  span: Span,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  query: string,
): void {
  const host = req.headers.host ?? '';
  const colon = host.lastIndexOf(':');
  span.setAttributes({
    'http.request.method': method,
    'url.scheme': 'http',
    'url.path': path,
    ...(query ? { 'url.query': query } : {}),
    'server.address': colon > 0 ? host.slice(0, colon) : host,
    ...(colon > 0 ? { 'server.port': Number(host.slice(colon + 1)) } : {}),
    'network.peer.address': req.socket.remoteAddress ?? '',
    'network.peer.port': req.socket.remotePort ?? 0,
    'network.protocol.version': req.httpVersion,
    ...(req.headers['user-agent'] ? { 'user_agent.original': req.headers['user-agent'] } : {}),
  });
  res.once('close', () => {
    if (res.headersSent) span.setAttribute('http.response.status_code', res.statusCode);
    if (!res.writableFinished) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the answer was sent' });
    } else if (res.statusCode >= 500) {
      // Semantic conventions: a server span is an error for 5xx only (a 4xx is the client's mistake).
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', String(res.statusCode));
    }
    span.end();
  });
}

/** Names the current request's SERVER span after its route template (`GET /products/:id`), when it is sampled. */
export function nameServerSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

/** `exchange()` with the options the traced version needs: an origin for the span, headers it can add to. */
export type TracedExchangeOptions = ExchangeOptions & { origin: string; headers: Record<string, string> };

/**
 * Calls the next service through `exchange()` inside the caller's trace: `traceparent` goes out with the request,
 * and a sampled trace gets a CLIENT span for the call (from the moment it is handed to the connection pool: time
 * spent waiting for a slot in front of it shows as the gap before this span). Adds the header to `opts.headers`.
 */
export function tracedExchange(dispatcher: Dispatcher, opts: TracedExchangeOptions): Promise<Answer> {
  const active = context.active();
  const parent = trace.getSpan(active);
  if (!parent?.isRecording()) {
    // Not sampled: no span of our own, the caller's context goes on (with its "not sampled" flag).
    if (parent) propagation.inject(active, opts.headers);
    return exchange(dispatcher, opts);
  }
  const method = opts.method;
  const span = tracer.startSpan(method, { kind: SpanKind.CLIENT }, active);
  const url = new URL(opts.path, opts.origin);
  span.setAttributes({
    'http.request.method': method,
    'url.full': url.href,
    'server.address': url.hostname,
    'server.port': Number(url.port) || 80,
  });
  propagation.inject(trace.setSpan(active, span), opts.headers);
  return exchange(dispatcher, opts).then(
    (answer) => {
      span.setAttribute('http.response.status_code', answer.statusCode);
      // Semantic conventions: a client span is an error for any 4xx or 5xx answer.
      if (answer.statusCode >= 400) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        span.setAttribute('error.type', String(answer.statusCode));
      }
      span.end();
      return answer;
    },
    (err: Error) => {
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
      span.setAttribute('error.type', err.name);
      span.end();
      throw err;
    },
  );
}
