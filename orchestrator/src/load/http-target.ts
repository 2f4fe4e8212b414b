import { Pool } from 'undici';
import type { JourneyRequest } from './journeys.ts';

const jsonHeaders = { 'content-type': 'application/json', 'user-agent': 'observastack-loadgen' };
const plainHeaders = { 'user-agent': 'observastack-loadgen' };

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
  const retiring: Promise<void>[] = [];

  return {
    /** Sends one request and reads its whole body; resolves with the status, rejects on transport errors or abort. */
    async send(req: JourneyRequest, signal: AbortSignal): Promise<number> {
      const res = await pool.request({
        path: prefix + req.path,
        method: req.method,
        headers: req.body === undefined ? plainHeaders : jsonHeaders,
        body: req.body,
        signal,
      });
      // Read to the end (rather than body.dump(), which hides a reset mid-body) so latency covers the whole response.
      for await (const _chunk of res.body);
      return res.statusCode;
    },
    /** Makes room for `n` concurrent requests: a bigger cap gets a fresh pool, the old one closes once idle. */
    ensureConnections(n: number): void {
      if (n <= size) return;
      retiring.push(pool.close());
      pool = new Pool(url.origin, options(n));
      size = n;
    },
    /** Closes every connection once the requests on them have settled. */
    async close(): Promise<void> {
      await Promise.all([...retiring.splice(0), pool.close()]);
    },
  };
}
export type HttpTarget = ReturnType<typeof createHttpTarget>;
