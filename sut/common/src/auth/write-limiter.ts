import { type BucketLimit, TokenBucket } from '../concurrency/token-bucket.ts';

/** The write limit of a control path (config writes, run control): a burst, then a steady refill. */
export type WriteLimit = BucketLimit;

/** Far above what a learner clicking sends (a few per second), far below a script's flood. */
export const defaultWriteLimit: WriteLimit = { burst: 120, perSecond: 20 };

/** `take()` 0 when admitted, otherwise whole seconds for Retry-After; `wait()` the same without spending. */
export type WriteLimiter = Pick<TokenBucket, 'take' | 'wait'>;

export function createWriteLimiter(
  limit: WriteLimit = defaultWriteLimit,
  now: () => number = () => performance.now(),
): WriteLimiter {
  return new TokenBucket(limit, now);
}
