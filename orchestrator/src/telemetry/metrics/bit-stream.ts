/**
 * Most-significant-bit-first bit writer and reader, for the metric store's compressed chunks (`xor-chunk.ts`).
 * Hand-written: the npm registry has no maintained package for it, and it is twenty lines. Both take at most 32
 * bits per call; callers split wider fields.
 *
 * The finished bytes are a one-byte JavaScript string (each char code 0-255), not a Uint8Array: a chunk of ~40
 * bytes costs V8 ~56 bytes as a string and ~240 as a Uint8Array with its ArrayBuffer (measured with
 * `process.memoryUsage()` over 100 000 of each), and a store holds one per series every two minutes.
 */
export class BitWriter {
  private buf: Uint8Array;
  private bit = 0;

  constructor(initialBytes = 512) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** Starts over; the buffer is kept (and zeroed up to what was written) so one writer serves every chunk. */
  reset(): void {
    this.buf.fill(0, 0, (this.bit + 7) >> 3);
    this.bit = 0;
  }

  /** Writes the low `n` bits of `value` (0 <= n <= 32), most significant first. */
  write(value: number, n: number): void {
    if ((this.bit + n + 7) >> 3 > this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    while (n > 0) {
      const free = 8 - (this.bit & 7);
      const take = free < n ? free : n;
      const bits = (value >>> (n - take)) & ((1 << take) - 1);
      this.buf[this.bit >> 3] |= bits << (free - take);
      this.bit += take;
      n -= take;
    }
  }

  /** The bytes written, as a one-byte string exactly as long as needed. */
  bytes(): string {
    return String.fromCharCode.apply(null, this.buf.subarray(0, (this.bit + 7) >> 3) as unknown as number[]);
  }
}

export class BitReader {
  private bit = 0;
  private readonly buf: string;

  constructor(buf: string) {
    this.buf = buf;
  }

  /** Reads `n` bits (0 <= n <= 32) as an unsigned number. */
  read(n: number): number {
    if (n > 24) return this.read(n - 16) * 65_536 + this.read(16); // not `<<`: a 32-bit read stays unsigned
    if (n === 0) return 0;
    // The 32 bits from the byte holding the next bit: with at most 7 bits before it, 24 more always fit. Past
    // the end charCodeAt gives NaN, which a bitwise operator reads as 0.
    const at = this.bit >> 3;
    const b = this.buf;
    const word =
      (b.charCodeAt(at) << 24) | (b.charCodeAt(at + 1) << 16) | (b.charCodeAt(at + 2) << 8) | b.charCodeAt(at + 3);
    const value = (word << (this.bit & 7)) >>> (32 - n);
    this.bit += n;
    return value;
  }

  /** The next 32 bits (zeros past the end), unsigned, without moving on. */
  peek32(): number {
    const at = this.bit >> 3;
    const off = this.bit & 7;
    const b = this.buf;
    const word =
      (b.charCodeAt(at) << 24) | (b.charCodeAt(at + 1) << 16) | (b.charCodeAt(at + 2) << 8) | b.charCodeAt(at + 3);
    return off === 0 ? word >>> 0 : ((word << off) | (b.charCodeAt(at + 4) >>> (8 - off))) >>> 0;
  }

  skip(n: number): void {
    this.bit += n;
  }
}
