/**
 * A token bucket: a burst, then a steady refill. The one limiter of the project: the gateway's `rateLimitRps`
 * (one shared budget for all users) and the write limits of the control paths (config writes, run control, the
 * WebSocket upgrade). Hand-written: the usual rate-limit plugins count per client over fixed windows and per
 * framework, while these need one smoothly refilled budget that serves Express, fastify and a raw upgrade alike
 * and answers the exact wait for Retry-After.
 */
export interface BucketLimit {
  /** Tokens available at once after a quiet period. */
  burst: number;
  /** Tokens added per second. */
  perSecond: number;
}

export class TokenBucket {
  private limit: BucketLimit | null;
  private tokens: number;
  private last: number;
  private readonly now: () => number;

  /** `limit` null: off, every take() is admitted. `now` in milliseconds (tests pass a fake clock). */
  constructor(limit: BucketLimit | null, now: () => number = () => performance.now()) {
    this.now = now;
    this.limit = limit;
    this.tokens = limit?.burst ?? 0;
    this.last = now();
  }

  /** A new limit (null: off). The tokens saved never exceed the new burst; a bucket turned on starts full. */
  setLimit(limit: BucketLimit | null): void {
    if (limit && this.limit) {
      this.refill();
      this.tokens = Math.min(this.tokens, limit.burst);
    } else if (limit) {
      this.tokens = limit.burst;
      this.last = this.now();
    }
    this.limit = limit;
  }

  /** 0 when admitted (a token is spent); otherwise the whole seconds to wait before one is there. */
  take(): number {
    const wait = this.wait();
    if (wait === 0 && this.limit) this.tokens -= 1;
    return wait;
  }

  /** The same answer as take() without spending a token (to refuse before doing work, e.g. comparing a key). */
  wait(): number {
    if (!this.limit) return 0;
    this.refill();
    return this.tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - this.tokens) / this.limit.perSecond));
  }

  private refill(): void {
    const t = this.now();
    const { burst, perSecond } = this.limit!;
    this.tokens = Math.min(burst, this.tokens + ((t - this.last) / 1000) * perSecond);
    this.last = t;
  }
}
