import { CHUNK_OVERHEAD_BYTES, type Chunk, decodeChunk, decodeTimes, encodeChunk, isStaleIn } from './xor-chunk.ts';

/** A series' identity: every label including `__name__`, `job` and `instance`. */
export type Labels = Record<string, string>;

/**
 * Samples a series takes uncompressed before they are sealed into a chunk: two minutes of 1 s scrapes, as
 * Prometheus's head chunks hold 120 samples.
 */
export const CHUNK_SAMPLES = 120;
/** An open sample in the head: time and value as Float64, staleness flag as a byte. */
export const HEAD_BYTES_PER_SAMPLE = 17;
const INITIAL_HEAD = 8;
/** Where trims decode a chunk's times: every series trims about once a second, so not a fresh array each time. */
const scratchTimes = new Float64Array(CHUNK_SAMPLES);

/**
 * One series' samples, oldest first: sealed compressed chunks (`xor-chunk.ts`), then an uncompressed head that
 * takes appends. Stale markers are flags, as Prometheus keeps StaleNaN. Read through `reader()`.
 */
export class Series {
  readonly labels: Labels;
  readonly key: string;
  private readonly chunks: Chunk[] = [];
  /** Leading samples of chunks[0] already dropped (retention or the per-series cap). */
  private skip = 0;
  /** Time of the oldest sample held, so a trim that drops nothing costs nothing. */
  private firstTime = Infinity;
  private ht = new Float64Array(INITIAL_HEAD);
  private hv = new Float64Array(INITIAL_HEAD);
  private hs = new Uint8Array(INITIAL_HEAD);
  private headStart = 0;
  private headEnd = 0;
  private size = 0;

  constructor(labels: Labels, key: string) {
    this.labels = labels;
    this.key = key;
  }

  get length(): number {
    return this.size;
  }

  lastTime(): number {
    // The head holds the newest sample whenever the series holds any: trims drop chunks before head samples.
    return this.size ? this.ht[this.headEnd - 1] : -Infinity;
  }

  isLastStale(): boolean {
    return this.size > 0 && this.hs[this.headEnd - 1] === 1;
  }

  /** Bytes held: chunk bytes and their fixed cost, the head's arrays. */
  memoryBytes(): number {
    let n = this.ht.length * HEAD_BYTES_PER_SAMPLE;
    for (const c of this.chunks) n += c.bytes.length + (c.stale?.length ?? 0) * 8 + CHUNK_OVERHEAD_BYTES;
    return n;
  }

  /** Appends in time order; returns false for an out-of-order or duplicate timestamp (Prometheus rejects those too). */
  append(time: number, v: number, stale: boolean, maxSamples: number, minTime: number): boolean {
    const t = Math.round(time);
    if (this.size && t <= this.lastTime()) return false;
    this.trim(minTime);
    if (this.size >= maxSamples) this.dropOldest(this.size - maxSamples + 1);
    if (this.headEnd === this.ht.length) this.makeRoom();
    this.ht[this.headEnd] = t;
    this.hv[this.headEnd] = v;
    this.hs[this.headEnd] = stale ? 1 : 0;
    this.headEnd++;
    if (this.size === 0) this.firstTime = t;
    this.size++;
    return true;
  }

  /** Drops samples older than minTime. */
  trim(minTime: number): void {
    while (this.size && this.firstTime < minTime) {
      const c = this.chunks[0];
      if (!c) {
        this.headStart++;
        this.size--;
        this.firstTime = this.size ? this.ht[this.headStart] : Infinity;
      } else if (c.maxT < minTime) this.dropChunk();
      else {
        const ts = decodeTimes(c, scratchTimes);
        let i = this.skip;
        while (ts[i] < minTime) i++;
        this.size -= i - this.skip;
        this.skip = i;
        this.firstTime = ts[i];
      }
    }
    if (this.size === 0) this.clear();
  }

  /** Hands a query a consistent view: the sealed chunks as they are, a copy of the head. */
  reader(): SeriesReader {
    const segments: Segment[] = [];
    let start = 0;
    this.chunks.forEach((chunk, k) => {
      const skip = k === 0 ? this.skip : 0;
      segments.push({ start, skip, n: chunk.count - skip, maxT: chunk.maxT, chunk, ts: null, vs: null });
      start += chunk.count - skip;
    });
    const n = this.headEnd - this.headStart;
    if (n > 0) {
      const [from, to] = [this.headStart, this.headEnd];
      const ts = this.ht.slice(from, to);
      const head = { ts, vs: this.hv.slice(from, to), stale: this.hs.slice(from, to) };
      segments.push({ start, skip: 0, n, maxT: ts[n - 1], chunk: null, ...head });
    }
    return new SeriesReader(this.labels, segments, this.size);
  }

  private dropOldest(count: number): void {
    for (let left = count; left > 0; ) {
      const c = this.chunks[0];
      if (!c) {
        this.headStart += left;
        this.size -= left;
        break;
      }
      const inChunk = c.count - this.skip;
      if (left >= inChunk) {
        this.dropChunk();
        left -= inChunk;
      } else {
        this.skip += left;
        this.size -= left;
        left = 0;
      }
    }
    if (this.size === 0) this.clear();
    else {
      const c = this.chunks[0];
      this.firstTime = c ? decodeTimes(c, scratchTimes)[this.skip] : this.ht[this.headStart];
    }
  }

  private dropChunk(): void {
    const c = this.chunks.shift() as Chunk;
    this.size -= c.count - this.skip;
    this.skip = 0;
    const next = this.chunks[0];
    this.firstTime = next ? next.minT : this.size ? this.ht[this.headStart] : Infinity;
  }

  private clear(): void {
    this.chunks.length = 0;
    this.skip = 0;
    this.headStart = this.headEnd = 0;
    this.firstTime = Infinity;
  }

  /** The head is full: seal it into a chunk, or grow it (a young series starts small) until it holds a chunk's worth. */
  private makeRoom(): void {
    const n = this.headEnd - this.headStart;
    if (this.ht.length >= CHUNK_SAMPLES) {
      if (n > 0) this.chunks.push(encodeChunk(this.ht, this.hv, this.hs, this.headStart, this.headEnd));
      this.headStart = this.headEnd = 0;
      return;
    }
    const cap = Math.min(CHUNK_SAMPLES, this.ht.length * 2);
    const ht = new Float64Array(cap);
    const hv = new Float64Array(cap);
    const hs = new Uint8Array(cap);
    ht.set(this.ht.subarray(this.headStart, this.headEnd));
    hv.set(this.hv.subarray(this.headStart, this.headEnd));
    hs.set(this.hs.subarray(this.headStart, this.headEnd));
    [this.ht, this.hv, this.hs] = [ht, hv, hs];
    this.headStart = 0;
    this.headEnd = n;
  }
}

interface Segment {
  /** Index (in the reader) of the segment's first sample held. */
  start: number;
  /** Leading samples of the chunk already dropped by a trim (only the oldest chunk has any). */
  skip: number;
  n: number;
  maxT: number;
  chunk: Chunk | null;
  /** Decoded on first use. */
  ts: Float64Array | null;
  vs: Float64Array | null;
  stale?: Uint8Array;
}

/**
 * Random access to one series' samples for one query: chunks are decoded on first touch and kept for the reader's
 * life, so a range query decodes each chunk it needs once. Build one per query, not per step.
 */
export class SeriesReader {
  readonly labels: Labels;
  readonly length: number;
  private readonly segments: Segment[];
  private lastSegment = 0;

  constructor(labels: Labels, segments: Segment[], length: number) {
    this.labels = labels;
    this.segments = segments;
    this.length = length;
  }

  timeAt(i: number): number {
    const s = this.segmentOf(i);
    return (s.ts ?? this.decode(s).ts)[s.skip + i - s.start];
  }

  valueAt(i: number): number {
    const s = this.segmentOf(i);
    return (s.vs ?? this.decode(s).vs)[s.skip + i - s.start];
  }

  isStaleAt(i: number): boolean {
    const s = this.segmentOf(i);
    if (s.chunk) return isStaleIn(s.chunk, s.skip + i - s.start);
    return (s.stale as Uint8Array)[i - s.start] === 1;
  }

  /** Index of the last sample with time <= t, or -1. */
  lastIndexAtOrBefore(t: number): number {
    const segs = this.segments;
    let k = 0;
    while (k < segs.length && segs[k].maxT <= t) k++;
    if (k === segs.length) return this.length - 1;
    // The answer is in segment k, or it is the last sample before it.
    const s = segs[k];
    const ts = s.ts ?? this.decode(s).ts;
    let lo = s.skip;
    let hi = s.skip + s.n - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ts[mid] <= t) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 ? s.start + found - s.skip : s.start - 1;
  }

  /**
   * Appends samples first..last (indexes, inclusive) that are not staleness markers to `ts` and `vs`: a range
   * selector's window, read segment by segment rather than one look-up per sample.
   */
  collect(first: number, last: number, ts: number[], vs: number[]): void {
    for (let i = first; i <= last; ) {
      const s = this.segmentOf(i);
      const t = s.ts ?? this.decode(s).ts;
      const v = s.vs as Float64Array;
      const end = Math.min(last, s.start + s.n - 1);
      for (; i <= end; i++) {
        const j = s.skip + i - s.start;
        if (s.chunk ? isStaleIn(s.chunk, j) : (s.stale as Uint8Array)[j] === 1) continue;
        ts.push(t[j]);
        vs.push(v[j]);
      }
    }
  }

  private segmentOf(i: number): Segment {
    const segs = this.segments;
    const last = segs[this.lastSegment];
    if (last && i >= last.start && i < last.start + last.n) return last; // queries walk forward through a series
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid].start <= i) lo = mid;
      else hi = mid - 1;
    }
    this.lastSegment = lo;
    return segs[lo];
  }

  private decode(s: Segment): { ts: Float64Array; vs: Float64Array } {
    const d = decodeChunk(s.chunk as Chunk);
    s.ts = d.ts;
    s.vs = d.vs;
    return d;
  }
}
