import { BitReader, BitWriter } from './bit-stream.ts';

/**
 * A sealed, compressed run of one series' samples, as Prometheus's TSDB keeps them (the Gorilla paper's encoding):
 * times as delta-of-delta, values as the XOR with the previous value. Scraped every second, a sample takes 1-4
 * bytes instead of 13 uncompressed (docs/performance.md has the measured figure). Immutable once built, so a query
 * can hold one while the store goes on appending and trimming.
 */
export interface Chunk {
  /** Time of the first and the last sample, whole milliseconds. */
  readonly minT: number;
  readonly maxT: number;
  readonly count: number;
  /**
   * All the times (delta of delta), then all the values (XOR), so times alone decode without the values; one byte
   * a char (`bit-stream.ts` says why a string).
   */
  readonly bytes: string;
  /** Indexes of staleness markers (Prometheus's StaleNaN) in the chunk; null when it holds none. */
  readonly stale: readonly number[] | null;
}

/** Fixed cost of one chunk beside its bytes: the object (96 bytes measured) and the string's header. */
export const CHUNK_OVERHEAD_BYTES = 112;

// Delta-of-delta buckets: a prefix of 1-4 bits, then a signed field. Our scrapes are 1 s apart with a few
// milliseconds of jitter, so the second bucket is narrower than Prometheus's (7 bits, not 14): most samples take
// 1 or 9 bits. A delta beyond the last bucket is written whole (a chunk spans at most the store's retention,
// under 2^31 ms, so 32 bits hold it).
const DOD_BUCKETS = [
  { prefix: 0b10, prefixBits: 2, bits: 7 },
  { prefix: 0b110, prefixBits: 3, bits: 14 },
  { prefix: 0b1110, prefixBits: 4, bits: 20 },
] as const;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: [0] low word, [1] high word
const writer = new BitWriter();

const clz64 = (hi: number, lo: number) => (hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo));
const ctz32 = (x: number) => 31 - Math.clz32(x & -x);
const ctz64 = (hi: number, lo: number) => (lo !== 0 ? ctz32(lo) : 32 + ctz32(hi));

/** Writes bits [from, from + n) of the 64-bit word hi:lo, n >= 1. */
function writeBits64(w: BitWriter, hi: number, lo: number, from: number, n: number): void {
  // Shift right by `from` (a JavaScript shift counts modulo 32, so 0 and >= 32 are their own cases).
  if (from >= 32) {
    lo = hi >>> (from - 32);
    hi = 0;
  } else if (from > 0) {
    lo = ((lo >>> from) | (hi << (32 - from))) >>> 0;
    hi = hi >>> from;
  }
  if (n > 32) {
    w.write(hi, n - 32);
    w.write(lo, 32);
  } else w.write(lo, n);
}

/** Where `readBits64` leaves its word: [0] high, [1] low (no array allocated per sample). */
const word = new Uint32Array(2);

/** Reads n bits and puts them at bit `from` of a 64-bit word, into `word`. */
function readBits64(r: BitReader, from: number, n: number): void {
  let hi = n > 32 ? r.read(n - 32) : 0;
  let lo = r.read(n > 32 ? 32 : n);
  if (from >= 32) {
    hi = lo << (from - 32);
    lo = 0;
  } else if (from > 0) {
    hi = (hi << from) | (lo >>> (32 - from));
    lo = lo << from;
  }
  word[0] = hi;
  word[1] = lo;
}

/** Compresses samples [from, to) of the given arrays (times in whole ms, increasing). */
export function encodeChunk(ts: Float64Array, vs: Float64Array, st: Uint8Array, from: number, to: number): Chunk {
  const w = writer;
  w.reset();
  let prevT = ts[from];
  let prevDelta = 0;
  for (let i = from + 1; i < to; i++) {
    const delta = ts[i] - prevT;
    const dod = delta - prevDelta;
    if (dod === 0) w.write(0, 1);
    else {
      let written = false;
      for (const b of DOD_BUCKETS) {
        if (dod < -(2 ** (b.bits - 1)) || dod >= 2 ** (b.bits - 1)) continue;
        w.write(b.prefix, b.prefixBits);
        w.write(dod >>> 0, b.bits); // two's complement, its low `bits` bits
        written = true;
        break;
      }
      if (!written) {
        w.write(0b1111, 4);
        w.write(delta, 32);
      }
    }
    prevT = ts[i];
    prevDelta = delta;
  }
  f64[0] = vs[from];
  let prevHi = u32[1];
  let prevLo = u32[0];
  w.write(prevHi, 32);
  w.write(prevLo, 32);
  let prevLead = -1;
  let prevTrail = 0;
  for (let i = from + 1; i < to; i++) {
    f64[0] = vs[i];
    const hi = u32[1];
    const lo = u32[0];
    const xHi = (hi ^ prevHi) >>> 0;
    const xLo = (lo ^ prevLo) >>> 0;
    prevHi = hi;
    prevLo = lo;
    if (xHi === 0 && xLo === 0) {
      w.write(0, 1);
      continue;
    }
    const lead = Math.min(31, clz64(xHi, xLo)); // 5 bits hold it
    const trail = ctz64(xHi, xLo);
    if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
      // The meaningful bits fit in the previous window: reuse it.
      w.write(0b10, 2);
      writeBits64(w, xHi, xLo, prevTrail, 64 - prevLead - prevTrail);
    } else {
      const sig = 64 - lead - trail;
      w.write(0b11, 2);
      w.write(lead, 5);
      w.write(sig & 63, 6); // 64 meaningful bits are written as 0
      writeBits64(w, xHi, xLo, trail, sig);
      prevLead = lead;
      prevTrail = trail;
    }
  }
  let stale: number[] | null = null;
  for (let i = from; i < to; i++) if (st[i]) (stale ??= []).push(i - from);
  return { minT: ts[from], maxT: ts[to - 1], count: to - from, bytes: w.bytes(), stale };
}

function readTimes(r: BitReader, c: Chunk, ts: Float64Array): void {
  let t = c.minT;
  let delta = 0;
  ts[0] = t;
  for (let i = 1; i < c.count; i++) {
    // One look at the next 32 bits decodes the prefix and a bucket's field (at most 4 + 20 bits).
    const w = r.peek32();
    if (w < 0x8000_0000) r.skip(1);
    else if (w >= 0xf000_0000) {
      r.skip(4);
      delta = r.read(32);
    } else {
      // DOD_BUCKETS spelled out (this loop is a query's hot path): a prefix, then a field shifted left by `shift`
      // so its sign bit is bit 31, read back with an arithmetic shift.
      const k = w < 0xc000_0000 ? 0 : w < 0xe000_0000 ? 1 : 2;
      const b = DOD_BUCKETS[k];
      delta += (w << b.prefixBits) >> (32 - b.bits);
      r.skip(b.prefixBits + b.bits);
    }
    t += delta;
    ts[i] = t;
  }
}

/** The chunk's times alone (the values are not decoded). */
export function decodeTimes(c: Chunk, ts = new Float64Array(c.count)): Float64Array {
  readTimes(new BitReader(c.bytes), c, ts);
  return ts;
}

/** The chunk's times and values. */
export function decodeChunk(c: Chunk): { ts: Float64Array; vs: Float64Array } {
  const r = new BitReader(c.bytes);
  const ts = new Float64Array(c.count);
  const vs = new Float64Array(c.count);
  readTimes(r, c, ts);
  let hi = r.read(32);
  let lo = r.read(32);
  u32[1] = hi;
  u32[0] = lo;
  vs[0] = f64[0];
  let lead = 0;
  let sig = 0;
  for (let i = 1; i < c.count; i++) {
    // One look decodes the control bits: 0 = the same value; 10 = the previous window; 11 + 5 + 6 bits = a new one.
    const w = r.peek32();
    if (w < 0x8000_0000) r.skip(1);
    else {
      if (w < 0xc000_0000) r.skip(2);
      else {
        lead = (w >>> 25) & 31;
        sig = (w >>> 19) & 63 || 64;
        r.skip(13);
      }
      readBits64(r, 64 - lead - sig, sig);
      hi = (hi ^ word[0]) >>> 0;
      lo = (lo ^ word[1]) >>> 0;
    }
    u32[1] = hi;
    u32[0] = lo;
    vs[i] = f64[0];
  }
  return { ts, vs };
}

export function isStaleIn(c: Chunk, i: number): boolean {
  return c.stale !== null && c.stale.includes(i);
}
