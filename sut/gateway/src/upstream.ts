import { Pool } from 'undici';
import { Counter, Gauge } from 'prom-client';
import type { ServiceMetrics } from '@observastack/sut-common/metrics.ts';
import { ResizableSemaphore } from '@observastack/sut-common/concurrency/resizable-semaphore.ts';
import type { Answer, ExchangeOptions } from '@observastack/sut-common/http/exchange.ts';
import { tracedExchange } from '@observastack/sut-common/tracing/http-spans.ts';

/**
 * The gateway's real connection pool to api: an undici `Pool` of `upstreamPoolSize` keep-alive connections,
 * fronted by a resizable FIFO semaphore of the same size. Requests wait for a slot in our queue — that wait is
 * the "pending" queue — never inside undici, so on a resize the waiting queue moves to the new size at once,
 * while a fresh undici Pool of the new size takes over and the old one closes after its in-flight requests.
 */
export class UpstreamPool {
  private pool: Pool;
  private readonly draining = new Set<Pool>();
  private readonly origin: string;
  private readonly slots: ResizableSemaphore;
  readonly errors: Counter<'kind'>;
  readonly retries: Counter;

  constructor(origin: string, size: number, metrics: ServiceMetrics) {
    this.origin = origin;
    this.pool = this.create(size);
    this.slots = new ResizableSemaphore(size);
    const registers = [metrics.registry];
    const self = this;
    new Gauge({
      name: 'gateway_upstream_pool_size',
      help: 'Connections the gateway may use to api at once (upstreamPoolSize).',
      registers,
      collect() {
        this.set(self.slots.size);
      },
    });
    new Gauge({
      name: 'gateway_upstream_pool_connections',
      help: 'Upstream connections to api: busy (carrying a request) or free (idle, kept alive).',
      labelNames: ['state'],
      registers,
      collect() {
        this.set({ state: 'busy' }, self.slots.inUse);
        this.set(
          { state: 'free' },
          [self.pool, ...self.draining].reduce((n, p) => n + p.stats.free, 0),
        );
      },
    });
    new Gauge({
      name: 'gateway_upstream_pool_pending_requests',
      help: 'Requests waiting at the gateway for an upstream connection.',
      registers,
      collect() {
        this.set(self.slots.waiting);
      },
    });
    this.errors = new Counter({
      name: 'gateway_upstream_errors_total',
      help: 'Failed upstream attempts, by kind.',
      labelNames: ['kind'],
      registers,
    });
    this.retries = new Counter({
      name: 'gateway_upstream_retries_total',
      help: 'Retried upstream attempts.',
      registers,
    });
  }

  get size(): number {
    return this.slots.size;
  }

  /** Requests waiting for a connection. */
  pending(): number {
    return this.slots.waiting;
  }

  private create(size: number): Pool {
    return new Pool(this.origin, { connections: size, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 2000 });
  }

  resize(size: number): void {
    if (size === this.slots.size) return;
    const old = this.pool;
    this.pool = this.create(size);
    this.draining.add(old);
    old
      .close()
      .catch(() => {})
      .finally(() => this.draining.delete(old));
    this.slots.resize(size);
  }

  /**
   * Waits for a slot (bounded by `signal`), sends the request with the trace context added to `headers`, reads
   * the whole body, frees the slot.
   */
  async request(opts: ExchangeOptions & { signal: AbortSignal; headers: Record<string, string> }): Promise<Answer> {
    await this.slots.acquire({ signal: opts.signal });
    try {
      return await tracedExchange(this.pool, { ...opts, origin: this.origin });
    } finally {
      this.slots.release();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool, ...this.draining].map((p) => p.close().catch(() => {})));
  }
}
