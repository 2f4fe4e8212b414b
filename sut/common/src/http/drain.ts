import type { Server } from 'node:http';

/** Longest drain before the listeners close. */
export const drainMaxMs = 1500;
/** The drain ends early once no request has arrived for this long (nobody is using the connections). */
export const drainQuietMs = 200;

/**
 * Drains keep-alive connections before a process closes its listeners. Closing a server closes its idle
 * keep-alive connections at once, and a client (the gateway's pool, the api's inventory client) that sends a
 * request on one of them at that moment gets a reset: a GET may be retried, a checkout's POST fails. While
 * draining, every answer carries `Connection: close`, so each client closes the connection itself after its
 * answer and opens the next one to whichever process still listens (the rollout's new one, with SO_REUSEPORT).
 * Written by hand: no library drains Node's own http.Server, and it is one flag and one timer.
 */
export function keepAliveDrain(servers: Server[]) {
  let draining = false;
  let lastRequest = 0;
  for (const s of servers)
    s.on('request', (_req, res) => {
      lastRequest = Date.now();
      // Before fastify writes the head (its handling is asynchronous): Node then sends `Connection: close`.
      if (draining) res.shouldKeepAlive = false;
    });
  return {
    /** Resolves when no request arrived for drainQuietMs, or after drainMaxMs. */
    async drain(): Promise<void> {
      draining = true;
      const t0 = Date.now();
      lastRequest = Math.max(lastRequest, t0);
      while (Date.now() - t0 < drainMaxMs && Date.now() - lastRequest < drainQuietMs)
        await new Promise((r) => setTimeout(r, 25));
    },
  };
}
