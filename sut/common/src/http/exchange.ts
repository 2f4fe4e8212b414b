import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** An answer read to its end: the status, the response headers, and the body (empty when not kept). */
export interface Answer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How an exchange ended: an answer, or a transport error, a reset mid-body or an abort (`answer` null). */
export type Settled = (error: Error | null, answer: Answer | null) => void;

const noBody = Buffer.alloc(0);

/**
 * One HTTP request and its response as an undici dispatch handler: the body's chunks are gathered (or dropped,
 * for a caller that only wants the status) and the exchange settles once, at the body's end or on an error.
 *
 * Why not `dispatcher.request()`: that path builds a Readable, an async iterator or a body mixin, an end-of-stream
 * watcher and an abort-signal listener per response, and V8's young-generation GC kept promoting them although
 * each was garbage a millisecond later (2-5 KB a request: 2-3 MB per scavenge at 1000 req/s, 4-12 ms pauses, old
 * space filling until a mark-compact every few seconds; docs/performance.md). This handler allocates a third as
 * much and its scavenges promote next to nothing. dispatch() is undici's documented low-level API; it may change
 * across undici majors (package.json pins one).
 */
export class Exchange implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] | null;
  private controller: Dispatcher.DispatchController | null = null;
  private abandoned: Error | null = null;
  private done: Settled | null;

  constructor(done: Settled, keepBody = true) {
    this.done = done;
    this.chunks = keepBody ? [] : null;
  }

  /** Ends the exchange now with `reason` (a timeout, a caller gone); no-op once it has settled. */
  abort(reason: Error = new Error('request aborted')): void {
    if (!this.done) return;
    if (this.controller) {
      // On its socket: undici destroys the connection (as request() with a signal does) and calls onResponseError.
      this.controller.abort(reason);
      return;
    }
    // Still queued for a connection: settle now, so the caller's deadline holds, and let onRequestStart drop it.
    this.abandoned = reason;
    this.settle(reason, null);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // A request abandoned while queued must not be sent, and must not cost the keep-alive connection it was given:
    // controller.abort() here would destroy that socket (client-h1's abort), and public dispatch() has no way to
    // take a request out of the queue (request() uses a private hook). A throw from this callback is caught by
    // undici's writeH1, which fails the request (onResponseError, ignored: it has settled) and moves on to the next
    // one on the same socket, writing nothing. The load generator aborting instead killed one connection per
    // timed-out request after a fault and slowed recovery by ~20 s (scenarios:verify).
    if (this.abandoned) throw this.abandoned;
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // Called again after a 1xx: the final answer wins.
    this.statusCode = statusCode;
    this.headers = headers;
    if (this.chunks) this.chunks.length = 0;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks?.push(chunk);
  }

  onResponseEnd(): void {
    const chunks = this.chunks;
    const body = !chunks?.length ? noBody : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    this.settle(null, { statusCode: this.statusCode, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.settle(error, null);
  }

  private settle(error: Error | null, answer: Answer | null): void {
    const done = this.done;
    if (!done) return;
    this.done = null;
    this.controller = null;
    this.chunks = null;
    done(error, answer);
  }
}

/** Options of `exchange`: the request, and what ends it early. */
export interface ExchangeOptions extends Dispatcher.DispatchOptions {
  /** Aborts the request with a `TimeoutError` after this many milliseconds. */
  timeoutMs?: number;
  /** Aborts the request with the signal's reason (a caller that went away). */
  signal?: AbortSignal;
}

const timeoutError = (ms: number) => Object.assign(new Error(`no answer within ${ms} ms`), { name: 'TimeoutError' });

/**
 * Sends one request through `dispatcher` and resolves with the whole answer; rejects on a transport error, on the
 * timeout (`TimeoutError`) or with the signal's reason. One timer and one listener, not `AbortSignal.timeout` and
 * `AbortSignal.any` (~5 % of the gateway's CPU per request, measured).
 */
export function exchange(dispatcher: Dispatcher, opts: ExchangeOptions): Promise<Answer> {
  const { timeoutMs, signal, ...request } = opts;
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<Answer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => handler.abort(signal?.reason);
    const handler = new Exchange((error, answer) => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(answer as Answer);
    });
    if (timeoutMs !== undefined) timer = setTimeout(() => handler.abort(timeoutError(timeoutMs)), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    // A bad request or a closed dispatcher calls onResponseError synchronously: the promise settles at once.
    dispatcher.dispatch(request, handler);
  });
}
