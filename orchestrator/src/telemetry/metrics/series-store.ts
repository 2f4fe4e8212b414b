import type { LabelMatcher } from './label-matcher.ts';
import { type Labels, Series } from './series.ts';

export type { Labels, SeriesReader } from './series.ts';

/** Rough fixed cost of one series (object, map entries, label strings are counted separately). */
const SERIES_OVERHEAD_BYTES = 200;

export function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

export interface SeriesStoreOptions {
  /** How long samples are kept, in ms (default 15 min). */
  retentionMs?: number;
  /** Hard cap of samples per series; the oldest is dropped beyond it (default 1 100, ~15 min at 1 s plus slack). */
  maxSamplesPerSeries?: number;
  /** Hard cap of series; samples of new series beyond it are dropped and counted (default 20 000). */
  maxSeries?: number;
}

export class SeriesStore {
  readonly retentionMs: number;
  readonly maxSamplesPerSeries: number;
  readonly maxSeries: number;
  /** Samples refused because the series cap was reached. */
  droppedSamples = 0;
  private readonly byKey = new Map<string, Series>();
  private readonly byName = new Map<string, Set<Series>>();
  private labelBytes = 0;

  constructor(options: SeriesStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? 15 * 60_000;
    // A compressed chunk writes a large gap between two samples as a 32-bit delta (`xor-chunk.ts`).
    if (this.retentionMs > 24 * 86_400_000) throw new RangeError('series store retention above 24 days');
    this.maxSamplesPerSeries = options.maxSamplesPerSeries ?? 1_100;
    this.maxSeries = options.maxSeries ?? 20_000;
  }

  /** Adds a sample; `labels` must contain `__name__`. */
  append(labels: Labels, t: number, v: number): boolean {
    return this.write(labels, t, v, false);
  }

  /** Writes a staleness marker: the series ends at `t` (Prometheus's StaleNaN). */
  markStale(labels: Labels, t: number): boolean {
    const s = this.byKey.get(seriesKey(labels));
    if (!s || s.length === 0 || s.isLastStale()) return false;
    return s.append(t, NaN, true, this.maxSamplesPerSeries, t - this.retentionMs);
  }

  private write(labels: Labels, t: number, v: number, stale: boolean): boolean {
    const key = seriesKey(labels);
    let s = this.byKey.get(key);
    if (!s) {
      if (this.byKey.size >= this.maxSeries) {
        this.droppedSamples++;
        return false;
      }
      s = new Series({ ...labels }, key);
      this.byKey.set(key, s);
      const name = labels.__name__ ?? '';
      let set = this.byName.get(name);
      if (!set) this.byName.set(name, (set = new Set()));
      set.add(s);
      this.labelBytes += key.length * 2;
    }
    return s.append(t, v, stale, this.maxSamplesPerSeries, t - this.retentionMs);
  }

  /** Series matching every matcher (a `__name__` equality matcher uses the name index). */
  select(matchers: LabelMatcher[]): Series[] {
    const nameEq = matchers.find((m) => m.name === '__name__' && m.op === '=');
    const candidates: Iterable<Series> = nameEq ? (this.byName.get(nameEq.value) ?? []) : this.byKey.values();
    const out: Series[] = [];
    for (const s of candidates) {
      if (matchers.every((m) => m.matches(s.labels[m.name]))) out.push(s);
    }
    return out;
  }

  /** Drops samples older than the retention and series left without samples. */
  gc(nowMs: number): void {
    const minTime = nowMs - this.retentionMs;
    for (const s of this.byKey.values()) {
      s.trim(minTime);
      if (s.length === 0) {
        this.byKey.delete(s.key);
        this.byName.get(s.labels.__name__ ?? '')?.delete(s);
        this.labelBytes -= s.key.length * 2;
      }
    }
  }

  seriesCount(): number {
    return this.byKey.size;
  }

  sampleCount(): number {
    let n = 0;
    for (const s of this.byKey.values()) n += s.length;
    return n;
  }

  /** Bytes held: compressed chunks, open heads, label strings (UTF-16) and a fixed cost per series. */
  memoryBytes(): number {
    let n = this.labelBytes;
    for (const s of this.byKey.values()) n += s.memoryBytes() + SERIES_OVERHEAD_BYTES;
    return n;
  }
}
