import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';
import { Counter, Gauge } from 'prom-client';
import type { ServiceMetrics } from '@observastack/sut-common/metrics.ts';

const require = createRequire(import.meta.url);
const { Pool } = require('undici') as typeof import('undici');

/**
 * The gateway's real connection pool to api (undici `Pool`). Its size is a live knob: resizing swaps in a new
 * pool for new requests and closes the old one gracefully (its queued requests still complete).
 */
export class UpstreamPool {
  private pool: UndiciPool;
  private size: number;
  private readonly draining = new Set<UndiciPool>();
  private readonly origin: string;
  readonly errors: Counter<'kind'>;
  readonly retries: Counter;

  constructor(origin: string, size: number, metrics: ServiceMetrics) {
    this.origin = origin;
    this.size = size;
    this.pool = this.create(size);
    const registers = [metrics.registry];
    const self = this;
    const all = () => [self.pool, ...self.draining];
    new Gauge({ name: 'gateway_upstream_pool_size', help: 'Connections the gateway may open to api (upstreamPoolSize).', registers, collect() { this.set(self.size); } });
    new Gauge({
      name: 'gateway_upstream_pool_connections', help: 'Upstream connections to api, busy or free.', labelNames: ['state'], registers,
      collect() {
        let connected = 0;
        let free = 0;
        for (const p of all()) {
          connected += p.stats.connected;
          free += p.stats.free;
        }
        this.set({ state: 'busy' }, connected - free);
        this.set({ state: 'free' }, free);
      },
    });
    new Gauge({
      name: 'gateway_upstream_pool_pending_requests', help: 'Requests waiting at the gateway for an upstream connection.', registers,
      collect() { this.set(all().reduce((n, p) => n + p.stats.pending, 0)); },
    });
    this.errors = new Counter({ name: 'gateway_upstream_errors_total', help: 'Failed upstream attempts, by kind.', labelNames: ['kind'], registers });
    this.retries = new Counter({ name: 'gateway_upstream_retries_total', help: 'Retried upstream attempts.', registers });
  }

  private create(size: number): UndiciPool {
    return new Pool(this.origin, { connections: size, pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: 2000 });
  }

  get current(): UndiciPool {
    return this.pool;
  }

  /** Pending requests (waiting for a connection) across the live and draining pools. */
  pending(): number {
    return [this.pool, ...this.draining].reduce((n, p) => n + p.stats.pending, 0);
  }

  resize(size: number): void {
    if (size === this.size) return;
    const old = this.pool;
    this.size = size;
    this.pool = this.create(size);
    this.draining.add(old);
    old.close().catch(() => {}).finally(() => this.draining.delete(old));
  }

  async close(): Promise<void> {
    await Promise.all([this.pool, ...this.draining].map((p) => p.close().catch(() => {})));
  }
}
