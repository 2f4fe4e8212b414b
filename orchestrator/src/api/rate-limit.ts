import type { RequestHandler } from 'express';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { createWriteLimiter, defaultWriteLimit, type WriteLimit } from '@observastack/sut-common/auth/write-limiter.ts';

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Rate limit of the control API's writes, one budget per class (session minting, config writes, run control),
 * so a flood of one kind cannot lock the learner out of the others. 429 with Retry-After in whole seconds.
 */
export function writeRateLimit(limit: WriteLimit = defaultWriteLimit): {
  session: RequestHandler;
  writes: RequestHandler;
} {
  const buckets = {
    session: createWriteLimiter(limit),
    config: createWriteLimiter(limit),
    control: createWriteLimiter(limit),
  };
  const take =
    (kind: keyof typeof buckets): RequestHandler =>
    (req, res, next) => {
      if (readMethods.has(req.method)) return next();
      const wait = buckets[kind].take();
      if (wait === 0) return next();
      res.setHeader('retry-after', String(wait));
      next(new HttpError(`too many ${kind} requests: retry in ${wait} s`, { code: 'rate_limited', status: 429 }));
    };
  const session = take('session');
  const config = take('config');
  const control = take('control');
  return {
    /** Mount before the session route (it is unauthenticated). */
    session: (req, res, next) => (req.path === '/session' ? session(req, res, next) : next()),
    /** Mount after the session check: only authenticated writers spend the budget, strangers get 401 first. */
    writes: (req, res, next) => (/^\/services\/[^/]+\/config$/.test(req.path) ? config : control)(req, res, next),
  };
}
