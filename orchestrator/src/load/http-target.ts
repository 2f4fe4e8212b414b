import { Pool } from 'undici';
import { Exchange as Handler } from '@observastack/sut-common/http/exchange.ts';
import type { JourneyRequest } from './journeys.ts';

const jsonHeaders = { 'content-type': 'application/json', 'user-agent': 'observastack-loadgen' };
const plainHeaders = { 'user-agent': 'observastack-loadgen' };

/** How a request settled: an HTTP status (the whole body read), or a transport error or abort (`status` 0). */
export type Settled = (status: number, error: Error | null) => void;

/** A request on its way; `abort()` settles it at once with an error (the generator's timeout). */
export type Exchange = Pick<Handler, 'abort'>;

/**
 * The shop's user gateway as the simulated users reach it: a keep-alive undici Pool with one connection per
 * request allowed in flight, so the generator's cap (not the pool) decides how many requests are outstanding.
 */
export function createHttpTarget(baseUrl: string, connections: number) {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`load target must be an http(s) URL, got ${baseUrl}`);
  const prefix = url.pathname.replace(/\/+$/, '');
  const options = (n: number) => ({
    connections: n,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  let pool = new Pool(url.origin, options(connections));
  let size = connections;
  const retiring: Pool[] = [];

  return {
    /** Sends one request and reads its whole body; calls `done` once, with the status or with the error. */
    send(req: JourneyRequest, done: Settled): Exchange {
      // The body is read to its end, so latency covers the whole response, and its bytes dropped (not kept).
      // Through undici's dispatch() with a small handler, not request(): see Exchange for the GC pauses that saves.
      const handler = new Handler((error, answer) => done(answer?.statusCode ?? 0, error), false);
      // A bad request or a closed pool calls onResponseError synchronously: `done` may run before this returns.
      pool.dispatch(
        {
          path: prefix + req.path,
          method: req.method,
          headers: req.body === undefined ? plainHeaders : jsonHeaders,
          body: req.body ?? null,
        },
        handler,
      );
      return handler;
    },
    /** Makes room for `n` concurrent requests: a bigger cap gets a fresh pool, the old one closes once idle. */
    ensureConnections(n: number): void {
      if (n <= size) return;
      retiring.push(pool);
      pool.close().catch(() => {}); // settles, or is overtaken by destroy() in close()
      pool = new Pool(url.origin, options(n));
      size = n;
    },
    /**
     * Closes every connection. The generator calls it once every request it sent has settled, so nothing it
     * waits for is lost; destroy() (not close()) also ends a request abandoned by abort() while it waited for a
     * connection that is not up yet, which close() would wait for (up to the connect timeout).
     */
    async close(): Promise<void> {
      const err = new Error('load generator stopped');
      await Promise.all([...retiring.splice(0), pool].map((p) => p.destroy(err)));
    },
  };
}
export type HttpTarget = ReturnType<typeof createHttpTarget>;
