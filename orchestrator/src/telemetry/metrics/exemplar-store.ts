import { RingBuffer } from '../logs/ring-buffer.ts';
import type { VectorSelector } from '../promql/index.ts';
import type { Exemplar } from './exposition-parser.ts';
import type { Labels } from './series-store.ts';

export interface StoredExemplar {
  /** The series the exemplar belongs to (a histogram bucket), with `__name__`, `job` and `instance`. */
  series: Labels;
  /** The exemplar's own labels, e.g. `trace_id`. */
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** Prometheus's `/api/v1/query_exemplars` data: exemplars grouped by series. */
export interface ExemplarSeries {
  seriesLabels: Labels;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

/**
 * The hub's exemplars, as Prometheus's exemplar storage keeps them: one circular buffer for all series, bounded
 * by count (default 10 000, dropped oldest first) and by the hub's retention. An exposition repeats a bucket's
 * exemplar at every scrape until a newer request replaces it; it is stored once.
 */
export class ExemplarStore {
  readonly #ring: RingBuffer<StoredExemplar>;
  readonly #retentionMs: number;
  /** Per series: the last stored exemplar's identity, to skip the repeats of later scrapes. */
  readonly #last = new Map<string, string>();

  constructor(o: { capacity?: number; retentionMs: number }) {
    this.#ring = new RingBuffer(o.capacity ?? 10_000);
    this.#retentionMs = o.retentionMs;
  }

  get size(): number {
    return this.#ring.size;
  }

  add(series: Labels, e: Exemplar, scrapedAtMs: number): void {
    const timestampMs = e.timestampMs ?? scrapedAtMs;
    const key = JSON.stringify(series);
    const identity = `${timestampMs}|${JSON.stringify(e.labels)}|${e.value}`;
    if (this.#last.get(key) === identity) return;
    this.#last.set(key, identity);
    const dropped = this.#ring.push({ series, labels: e.labels, value: e.value, timestampMs });
    if (dropped && this.#last.size > this.#ring.capacity) this.#forgetGone();
  }

  /** Exemplars between `startMs` and `endMs` of the series any selector matches, oldest first per series. */
  query(selectors: VectorSelector[], startMs: number, endMs: number): ExemplarSeries[] {
    const cutoff = Math.max(startMs, Date.now() - this.#retentionMs);
    const bySeries = new Map<string, ExemplarSeries>();
    for (const e of this.#ring.newestFirst()) {
      // Insertion order is scrape order, not quite the exemplars' own time order: every entry is looked at.
      if (e.timestampMs > endMs || e.timestampMs < cutoff) continue;
      if (!selectors.some((s) => selects(s, e.series))) continue;
      const key = JSON.stringify(e.series);
      let group = bySeries.get(key);
      if (!group) bySeries.set(key, (group = { seriesLabels: e.series, exemplars: [] }));
      group.exemplars.push({ labels: e.labels, value: String(e.value), timestamp: e.timestampMs / 1000 });
    }
    for (const g of bySeries.values()) g.exemplars.sort((a, b) => a.timestamp - b.timestamp);
    return [...bySeries.values()];
  }

  /** Drops the repeat-detection entries of series that have no exemplar left in the buffer. */
  #forgetGone(): void {
    const live = new Set<string>();
    for (const e of this.#ring.newestFirst()) live.add(JSON.stringify(e.series));
    for (const key of this.#last.keys()) if (!live.has(key)) this.#last.delete(key);
  }
}

function selects(s: VectorSelector, series: Labels): boolean {
  if (s.name !== undefined && series.__name__ !== s.name) return false;
  return s.matchers.every((m) => m.matches(series[m.name]));
}
