import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { Gauge, Histogram } from 'prom-client';
import { trace } from '@opentelemetry/api';
import { latencyBuckets, type ServiceMetrics } from '@observastack/sut-common/metrics.ts';
import type { RecommendResult, RecommendTask } from './recommend-task.ts';

const workerFile = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const tracer = trace.getTracer('observastack-recommendations');
const now = () => performance.timeOrigin + performance.now();

/**
 * The api's recommendation worker pool: real threads (piscina). Resizing swaps in a pool of the new size for new
 * tasks and closes the old one gracefully (its queued tasks still run). Records queue depth, active tasks and
 * the time each task waited for a thread.
 */
export class RecommendationPool {
  private pool: Piscina;
  private size: number;
  private readonly draining = new Set<Piscina>();
  private active = 0;
  private readonly waitTime: Histogram;

  constructor(size: number, metrics: ServiceMetrics) {
    this.size = size;
    this.pool = this.create(size);
    const registers = [metrics.registry];
    const self = this;
    new Gauge({
      name: 'worker_pool_threads',
      help: 'Worker threads in the recommendation pool (workerPoolSize).',
      registers,
      collect() {
        this.set(self.size);
      },
    });
    new Gauge({
      name: 'worker_pool_active_tasks',
      help: 'Recommendation tasks running in a worker.',
      registers,
      collect() {
        this.set(Math.max(0, self.active - self.queued()));
      },
    });
    new Gauge({
      name: 'worker_pool_queue_depth',
      help: 'Recommendation tasks waiting for a free worker.',
      registers,
      collect() {
        this.set(self.queued());
      },
    });
    this.waitTime = new Histogram({
      name: 'worker_pool_wait_seconds',
      help: 'Time a task waited for a free worker.',
      buckets: latencyBuckets,
      registers,
    });
  }

  private queued(): number {
    return [this.pool, ...this.draining].reduce((n, p) => n + p.queueSize, 0);
  }

  private create(size: number): Piscina {
    // Up to `size` threads run at once (the knob); idle threads are reclaimed after 5 s, the last one too. Each
    // thread is an isolate of ~11.4 MB (~13 MB while it preloaded module hooks): with 30 s a scenario's default
    // load (~0.7 recommendations in flight on average) kept 5-6 threads alive from its bursts, ~70 MB; a platform
    // with no shop traffic (a learner reading) kept one for nothing. Starting one again costs ~50 ms of CPU, a
    // few times a minute under load. Nothing is preloaded (no tracing, no module hooks: the worker is plain
    // JavaScript).
    return new Piscina({
      filename: workerFile,
      minThreads: 0,
      maxThreads: size,
      idleTimeout: 5_000,
      execArgv: [],
      resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 },
    });
  }

  resize(size: number): void {
    if (size === this.size) return;
    const old = this.pool;
    this.size = size;
    this.pool = this.create(size);
    this.draining.add(old);
    old
      .close()
      .catch(() => {})
      .finally(() => this.draining.delete(old));
  }

  async recommend(task: RecommendTask): Promise<number[]> {
    const submittedAt = now();
    const result = (await this.pool.run(task)) as RecommendResult;
    this.waitTime.observe((result.startedAt - submittedAt) / 1000);
    tracer
      .startSpan('worker_pool.wait', { startTime: submittedAt, attributes: { 'observastack.pool_size': this.size } })
      .end(result.startedAt);
    tracer.startSpan('recommendations.compute', { startTime: result.startedAt }).end(result.finishedAt);
    return result.productIds;
  }

  /** Runs one task; tasks in flight minus the queue gives the active-task gauge. */
  async run(task: RecommendTask): Promise<number[]> {
    this.active++;
    try {
      return await this.recommend(task);
    } finally {
      this.active--;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.pool, ...this.draining].map((p) => p.close({ force: true }).catch(() => {})));
  }
}
