/**
 * A global token bucket (burst = one second of traffic). Hand-written: the usual rate-limit plugins limit per
 * client IP over fixed windows, while load shedding at a gateway needs one shared, smoothly refilled budget.
 */
export class TokenBucket {
  private tokens = 0;
  private last = performance.now();
  private rate = 0;

  setRate(rps: number): void {
    if (rps === this.rate) return;
    this.rate = rps;
    this.tokens = Math.min(this.tokens, rps);
    if (rps > 0 && this.tokens === 0) this.tokens = rps;
  }

  /** True when the request is admitted; always true while the limit is off (rate 0). */
  take(): boolean {
    if (this.rate === 0) return true;
    const now = performance.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
