import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { JourneyRequest } from './journeys.ts';

const jsonHeaders = { 'content-type': 'application/json', 'user-agent': 'observastack-loadgen' };
const plainHeaders = { 'user-agent': 'observastack-loadgen' };

/** How a request settled: an HTTP status (the whole body read), or a transport error or abort (`status` 0). */
export type Settled = (status: number, error: Error | null) => void;

/** A request on its way; `abort()` settles it at once with an error (the generator's timeout). */
export interface Exchange {
  abort(): void;
}

const abortError = () => new Error('load generator request aborted');

/**
 * One request as an undici dispatch handler: it takes the response body's chunks as they arrive (and drops them)
 * and settles once, at the body's end or on an error.
 *
 * Why not `pool.request()` and a loop over `res.body`: that path builds a Readable, an async iterator and an
 * end-of-stream watcher per response, and V8's young-generation GC kept promoting them (2-5 KB a request, 2-3 MB
 * per scavenge at 500-1000 req/s, although each was garbage a millisecond after its response), so every scavenge
 * copied megabytes and stopped the loop for 4-12 ms, and old space filled with it (a mark-compact every few
 * seconds): most of the generator's p99 in bench/loadgen-vs-peer.ts. The handler allocates a third as much and
 * its scavenges promote next to nothing (~0.5 ms pauses on an idle machine). dispatch() is undici's documented
 * low-level API; it may change across undici majors (package.json pins one).
 */
class Request implements Dispatcher.DispatchHandler, Exchange {
  private status = 0;
  private controller: Dispatcher.DispatchController | null = null;
  private abortRequested = false;
  private done: Settled | null;

  constructor(done: Settled) {
    this.done = done;
  }

  abort(): void {
    if (!this.done) return;
    this.abortRequested = true;
    if (this.controller) {
      // On its socket: undici destroys the connection (as request() with a signal does) and calls onResponseError.
      this.controller.abort(abortError());
      return;
    }
    // Still queued for a connection: settle now, so the generator's timeout holds, and let onRequestStart drop it.
    this.settle(0, abortError());
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // A request abandoned while queued must not be sent, and must not cost the keep-alive connection it was given:
    // controller.abort() here would destroy that socket (client-h1's abort), and public dispatch() has no way to
    // take a request out of the queue (request() uses a private hook). A throw from this callback is caught by
    // undici's writeH1, which fails the request (onResponseError, ignored: it has settled) and moves on to the next
    // one on the same socket, writing nothing. After a fault full of timeouts, aborting instead killed one
    // connection per abandoned request and slowed recovery by ~20 s (scenarios:verify, docs/performance.md).
    if (this.abortRequested) throw abortError();
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode; // called again after a 1xx: the final status wins
  }

  onResponseData(): void {
    // The body is read to its end (onResponseEnd), so latency covers the whole response; its bytes are not kept.
  }

  onResponseEnd(): void {
    this.settle(this.status, null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle(0, error); // a transport error or reset, before or in the middle of the body, or an abort
  }

  private settle(status: number, error: Error | null): void {
    const done = this.done;
    if (!done) return;
    this.done = null;
    this.controller = null;
    done(status, error);
  }
}

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
      const request = new Request(done);
      // A bad request or a closed pool calls onResponseError synchronously: `done` may run before this returns.
      pool.dispatch(
        {
          path: prefix + req.path,
          method: req.method,
          headers: req.body === undefined ? plainHeaders : jsonHeaders,
          body: req.body ?? null,
        },
        request,
      );
      return request;
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
