import { type ExpositionFormat, parseExposition } from './exposition-parser.ts';
import type { Labels, SeriesStore } from './series-store.ts';
import type { ExemplarStore } from './exemplar-store.ts';

/** A target scraped over HTTP, or one collected in-process (e.g. the load generator's own registry). */
export type ScrapeTarget =
  | { job: string; url: string; instance?: string }
  | { job: string; instance: string; collect: () => Promise<string> | string };

export interface TargetHealth {
  job: string;
  instance: string;
  up: boolean;
  lastScrapeMs: number | null;
  lastDurationMs: number | null;
  lastError: string | null;
}

export interface ScraperOptions {
  /** Where exemplars go (OpenMetrics targets); dropped without one. */
  exemplars?: ExemplarStore;
  /** Time between scrape starts of one target (default 1 000 ms). */
  intervalMs?: number;
  /** Scrape timeout; must be below the interval (default 80 % of it). */
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface TargetState {
  target: ScrapeTarget;
  instance: string;
  previousKeys: Map<string, Labels>;
  health: TargetHealth;
}

function instanceOf(target: ScrapeTarget): string {
  if ('collect' in target) return target.instance;
  return target.instance ?? new URL(target.url).host;
}

/** Scrapes each target on its own loop: the next scrape of a target starts only after the previous one ended. */
export class Scraper {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  private readonly store: SeriesStore;
  private readonly exemplars: ExemplarStore | undefined;
  private readonly states: TargetState[];
  private readonly now: () => number;
  private running = false;
  private stopController = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(store: SeriesStore, targets: ScrapeTarget[], options: ScraperOptions = {}) {
    this.store = store;
    this.exemplars = options.exemplars;
    this.intervalMs = options.intervalMs ?? 1000;
    this.timeoutMs = options.timeoutMs ?? Math.floor(this.intervalMs * 0.8);
    if (this.timeoutMs >= this.intervalMs) throw new Error('scrape timeout must be shorter than the scrape interval');
    this.now = options.now ?? Date.now;
    this.states = targets.map((target) => {
      const instance = instanceOf(target);
      return {
        target,
        instance,
        previousKeys: new Map(),
        health: { job: target.job, instance, up: false, lastScrapeMs: null, lastDurationMs: null, lastError: null },
      };
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopController = new AbortController();
    this.loops = this.states.map((state) => this.loop(state));
  }

  /** Stops every loop and waits for in-flight scrapes to end (they are aborted). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.stopController.abort();
    await Promise.all(this.loops);
    this.loops = [];
  }

  health(): TargetHealth[] {
    return this.states.map((s) => ({ ...s.health }));
  }

  /** Scrapes every target once, concurrently (used by tests and by the loops). */
  async scrapeAll(): Promise<void> {
    await Promise.all(this.states.map((s) => this.scrape(s)));
  }

  private async loop(state: TargetState): Promise<void> {
    const signal = this.stopController.signal;
    while (this.running) {
      const started = this.now();
      await this.scrape(state);
      const wait = Math.max(0, started + this.intervalMs - this.now());
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  private async fetchText(target: ScrapeTarget): Promise<{ text: string; format: ExpositionFormat }> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.stopController.signal]);
    if ('collect' in target) {
      const text = await Promise.race([
        Promise.resolve(target.collect()),
        new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => reject(new Error('scrape timed out')), { once: true }),
        ),
      ]);
      return { text, format: 'text' };
    }
    // As Prometheus asks: OpenMetrics first (the SUT's registries speak it, with exemplars), else the text format.
    const res = await fetch(target.url, {
      signal,
      headers: { accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' },
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status}`);
    // The answer's content type picks the parser, as in Prometheus (the formats differ in timestamps' unit).
    const openMetrics = (res.headers.get('content-type') ?? '').startsWith('application/openmetrics-text');
    return { text, format: openMetrics ? 'openmetrics' : 'text' };
  }

  private async scrape(state: TargetState): Promise<void> {
    const t = Math.round(this.now());
    const base = { job: state.target.job, instance: state.instance };
    const seen = new Map<string, Labels>();
    let ok = true;
    try {
      const { text, format } = await this.fetchText(state.target);
      const { samples } = parseExposition(text, format);
      for (const sample of samples) {
        const labels: Labels = {};
        for (const [k, v] of Object.entries(sample.labels)) {
          // honor_labels: false — a scraped job/instance label is kept as exported_<name>, as Prometheus does.
          labels[k === 'job' || k === 'instance' ? `exported_${k}` : k] = v;
        }
        labels.__name__ = sample.name;
        labels.job = base.job;
        labels.instance = base.instance;
        this.store.append(labels, sample.timestampMs ?? t, sample.value);
        if (sample.exemplar) this.exemplars?.add(labels, sample.exemplar, t);
        seen.set(JSON.stringify(labels), labels);
      }
      state.health.lastError = null;
    } catch (err) {
      ok = false;
      state.health.lastError = (err as Error).message;
    }
    // Series that disappeared (or all of them when the scrape failed) end with a staleness marker.
    for (const [key, labels] of state.previousKeys) if (!seen.has(key)) this.store.markStale(labels, t);
    state.previousKeys = seen;
    const duration = this.now() - t;
    this.store.append({ __name__: 'up', ...base }, t, ok ? 1 : 0);
    this.store.append({ __name__: 'scrape_duration_seconds', ...base }, t, duration / 1000);
    this.store.append({ __name__: 'scrape_samples_scraped', ...base }, t, seen.size);
    state.health.up = ok;
    state.health.lastScrapeMs = t;
    state.health.lastDurationMs = duration;
    this.store.gc(t);
  }
}
