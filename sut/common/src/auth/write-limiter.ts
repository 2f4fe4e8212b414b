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
  /** The same answer as take() without spending a token (to refuse before doing work, e.g. comparing a key). */
  wait(): number;
}

export function createWriteLimiter(
  limit: WriteLimit = defaultWriteLimit,
  now: () => number = () => performance.now(),
): WriteLimiter {
  let tokens = limit.burst;
  let last = now();
  const refill = () => {
    const t = now();
    tokens = Math.min(limit.burst, tokens + ((t - last) / 1000) * limit.perSecond);
    last = t;
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
  };
  return {
    take() {
      const wait = refill();
      if (wait === 0) tokens -= 1;
      return wait;
    },
    wait: refill,
  };
}
