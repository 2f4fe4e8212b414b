/**
 * A token bucket for writes on the control path (config writes, run control): a burst, then a steady refill.
 * Hand-written: one small limiter serves Express, fastify and the WebSocket upgrade alike, and it answers the
 * exact wait for Retry-After (the usual plugins are per framework and per fixed window).
 */
export interface WriteLimit {
  /** Requests admitted at once after a quiet period. */
  burst: number;
  /** Requests admitted per second after the burst is spent. */
  perSecond: number;
}

/** Far above what a learner clicking sends (a few per second), far below a script's flood. */
export const defaultWriteLimit: WriteLimit = { burst: 120, perSecond: 20 };

export interface WriteLimiter {
  /** 0 when the request is admitted; otherwise whole seconds to wait before retrying (for Retry-After). */
  take(): number;
}

export function createWriteLimiter(limit: WriteLimit = defaultWriteLimit, now: () => number = () => performance.now()): WriteLimiter {
  let tokens = limit.burst;
  let last = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(limit.burst, tokens + ((t - last) / 1000) * limit.perSecond);
      last = t;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
    },
  };
}
