interface Waiter {
  resolve(): void;
  reject(err: Error): void;
  cleanup(): void;
}

export class AcquireTimeoutError extends Error {
  constructor() {
    super('timed out waiting for a free slot');
    this.name = 'AcquireTimeoutError';
  }
}

/**
 * A FIFO semaphore whose size can change while slots are held: growing lets waiters in at once, shrinking
 * admits nobody new until use drops below the new size. Hand-written because the pools it guards (pg.Pool,
 * undici Pool) fix their size at construction, and a knob that "really resizes the pool" must act on the
 * queue that is already waiting.
 */
export class ResizableSemaphore {
  private limit: number;
  private used = 0;
  private readonly waiters: Waiter[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get size(): number {
    return this.limit;
  }

  get inUse(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  resize(limit: number): void {
    this.limit = limit;
    while (this.used < this.limit && this.waiters.length > 0) {
      this.used++;
      this.waiters.shift()!.resolve();
    }
  }

  /** Takes a slot, waiting in line; rejects after `timeoutMs` or when `signal` aborts. */
  acquire(opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    if (this.used < this.limit && this.waiters.length === 0) {
      this.used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const leave = (err: Error) => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        w.cleanup();
        reject(err);
      };
      const timer =
        opts.timeoutMs === undefined ? undefined : setTimeout(() => leave(new AcquireTimeoutError()), opts.timeoutMs);
      const onAbort = () => leave(opts.signal!.reason instanceof Error ? opts.signal!.reason : new Error('aborted'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      const w: Waiter = {
        resolve: () => {
          w.cleanup();
          resolve();
        },
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      };
      this.waiters.push(w);
    });
  }

  /** Gives a slot back; it passes straight to the next waiter unless the semaphore shrank below use. */
  release(): void {
    if (this.used > this.limit || this.waiters.length === 0) {
      this.used--;
      return;
    }
    this.waiters.shift()!.resolve();
  }
}
