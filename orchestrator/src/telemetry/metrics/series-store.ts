import type { LabelMatcher } from './label-matcher.ts';

/** A series' identity: every label including `__name__`, `job` and `instance`. */
export type Labels = Record<string, string>;

/**
 * Memory per sample: 4 bytes timestamp (Int32, whole milliseconds after the series' base time, as Prometheus keeps
 * whole milliseconds) + 8 bytes value (Float64) + 1 byte staleness flag = 13 bytes, held in per-series ring
 * buffers that grow by GROWTH_STEP samples at a time up to `maxSamplesPerSeries`.
 */
export const BYTES_PER_SAMPLE = 13;
/** An offset past this moves the series' base time up to its oldest sample (every ~24 days of one series). */
const MAX_OFFSET_MS = 2 ** 31 - 1;
/** Rough fixed cost of one series (object, map entries, label strings are counted separately). */
const SERIES_OVERHEAD_BYTES = 200;
const INITIAL_CAPACITY = 32;
/**
 * A full ring grows by two minutes of 1 s samples, not by doubling: with doubling every series born at boot
 * reallocated to 512 samples at minute 4 and to 1 024 at minute 8.5, and the orchestrator stepped up by 6 and 8 MB
 * at exactly those minutes of the soak bench (docs/performance.md). Now what is allocated follows what is held.
 * The copy this costs is ~9 times per series over 15 minutes.
 */
const GROWTH_STEP = 120;

export function seriesKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

/** One series' samples, oldest first, in a ring buffer. Stale markers are kept as flags, as Prometheus keeps StaleNaN. */
export class Series {
  readonly labels: Labels;
  readonly key: string;
  /** Sample times as offsets from `base` (ms). */
  private ts: Int32Array;
  private base = 0;
  private vs: Float64Array;
  private st: Uint8Array;
  private head = 0;
  private size = 0;

  constructor(labels: Labels, key: string, capacity = INITIAL_CAPACITY) {
    this.labels = labels;
    this.key = key;
    this.ts = new Int32Array(capacity);
    this.vs = new Float64Array(capacity);
    this.st = new Uint8Array(capacity);
  }

  get length(): number {
    return this.size;
  }
  get capacity(): number {
    return this.ts.length;
  }
  timeAt(i: number): number {
    return this.base + this.ts[(this.head + i) % this.ts.length];
  }
  valueAt(i: number): number {
    return this.vs[(this.head + i) % this.vs.length];
  }
  isStaleAt(i: number): boolean {
    return this.st[(this.head + i) % this.st.length] === 1;
  }
  lastTime(): number {
    return this.size ? this.timeAt(this.size - 1) : -Infinity;
  }

  /** Index of the last sample with time <= t, or -1. */
  lastIndexAtOrBefore(t: number): number {
    let lo = 0;
    let hi = this.size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.timeAt(mid) <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Appends in time order; returns false for an out-of-order or duplicate timestamp (Prometheus rejects those too). */
  append(time: number, v: number, stale: boolean, maxSamples: number, minTime: number): boolean {
    const t = Math.round(time);
    if (this.size && t <= this.lastTime()) return false;
    while (this.size && this.timeAt(0) < minTime) this.dropOldest();
    if (this.size === 0) this.base = t;
    else if (t - this.base > MAX_OFFSET_MS) this.rebase();
    if (this.size === this.ts.length) {
      if (this.ts.length < maxSamples) this.grow(Math.min(maxSamples, this.ts.length + GROWTH_STEP));
      else this.dropOldest();
    }
    const at = (this.head + this.size) % this.ts.length;
    this.ts[at] = t - this.base;
    this.vs[at] = v;
    this.st[at] = stale ? 1 : 0;
    this.size++;
    return true;
  }

  trim(minTime: number): void {
    while (this.size && this.timeAt(0) < minTime) this.dropOldest();
  }

  private dropOldest(): void {
    this.head = (this.head + 1) % this.ts.length;
    this.size--;
  }

  /** Moves the base time up to the oldest sample held: within the retention (<= 24 days) of the newest, so it fits. */
  private rebase(): void {
    const shift = this.timeAt(0) - this.base;
    for (let i = 0; i < this.size; i++) this.ts[(this.head + i) % this.ts.length] -= shift;
    this.base += shift;
  }

  private grow(capacity: number): void {
    const ts = new Int32Array(capacity);
    const vs = new Float64Array(capacity);
    const st = new Uint8Array(capacity);
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) % this.ts.length;
      ts[i] = this.ts[from];
      vs[i] = this.vs[from];
      st[i] = this.st[from];
    }
    this.ts = ts;
    this.vs = vs;
    this.st = st;
    this.head = 0;
  }
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
    // Keeps every sample within an Int32 offset of its series' oldest one (see `Series.rebase`).
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
    if (!s || s.length === 0 || s.isStaleAt(s.length - 1)) return false;
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

  /** Bytes held: allocated ring buffers at BYTES_PER_SAMPLE, label strings (UTF-16) and a fixed cost per series. */
  memoryBytes(): number {
    let n = this.labelBytes;
    for (const s of this.byKey.values()) n += s.capacity * BYTES_PER_SAMPLE + SERIES_OVERHEAD_BYTES;
    return n;
  }
}
