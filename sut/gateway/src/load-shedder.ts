import type { IncomingMessage, ServerResponse } from 'node:http';
import { trace } from '@opentelemetry/api';
import type { Counter } from 'prom-client';
import type { Logger } from '@observastack/sut-common/logger.ts';
import { type ServiceMetrics, traceExemplar } from '@observastack/sut-common/metrics.ts';
import type { TokenBucket } from '@observastack/sut-common/concurrency/token-bucket.ts';

const body = JSON.stringify({
  error: { code: 'rate_limited', message: 'too many requests: the shop is shedding load, retry shortly' },
});
const headers = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(Buffer.byteLength(body)),
  'retry-after': '1',
};

export interface LoadShedder {
  /** Answers 429 and returns true when `rateLimitRps` refuses the request; false lets it through (a token taken). */
  shed(req: IncomingMessage, res: ServerResponse): boolean;
  stop(): void;
}

/**
 * The gateway's rate limit, applied before the web framework sees a request, as an edge proxy's local rate limit
 * is: a shed request costs a token-bucket check and a short static answer, not routing, hooks, an error object
 * and an access-log line. During a flash crowd most requests are shed; answering them through the full request
 * pipeline cost more CPU than the admitted traffic and kept latency high after the fix on a busy machine.
 * Shed requests are still counted (gateway_rate_limited_total, the request-duration histogram with status 429)
 * and traced (a sampled one is a server span answered 429: the front door runs inside it, tracing/http-spans.ts);
 * the log gets one line per second with how many were shed.
 */
export function createLoadShedder(o: {
  bucket: TokenBucket;
  adopt: () => unknown;
  rateLimited: Counter;
  metrics: ServiceMetrics;
  logger: Logger;
}): LoadShedder {
  let shedThisSecond = 0;
  const report = setInterval(() => {
    if (shedThisSecond === 0) return;
    o.logger.warn(
      { shed: shedThisSecond, status_code: 429 },
      `rate limit: ${shedThisSecond} requests answered 429 in the last second`,
    );
    shedThisSecond = 0;
  }, 1000);
  report.unref();
  return {
    shed(req, res) {
      if (!req.url?.startsWith('/api/')) return false;
      o.adopt(); // a limit the admin thread just committed applies to this very request
      if (o.bucket.take() === 0) return false;
      const started = performance.now();
      trace.getActiveSpan()?.updateName(`${req.method} /api/*`);
      res.writeHead(429, headers).end(body);
      o.rateLimited.inc();
      o.metrics.httpDuration.observe({
        labels: { method: req.method ?? 'GET', route: '/api/*', status_code: '429' },
        value: (performance.now() - started) / 1000,
        exemplarLabels: traceExemplar(),
      });
      shedThisSecond++;
      return true;
    },
    stop: () => clearInterval(report),
  };
}
