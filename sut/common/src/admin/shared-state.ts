/**
 * The memory a service's main thread and its admin thread share (one SharedArrayBuffer):
 * - the committed config, written by the admin thread only, read by the main thread on every `config.get()`;
 * - the version the main thread has adopted (so the admin thread knows a change took effect);
 * - the main thread's heartbeat (epoch ms), which the admin thread's /healthz reports.
 *
 * Hand-written rather than postMessage: a message to a busy main thread waits for its event loop to turn,
 * while a read of shared memory happens inside the very next request. The config is a JSON record behind a
 * sequence lock (odd while being written): a reader that sees the sequence change under it keeps what it had
 * and reads again on its next call.
 */
const seqIdx = 0;
const lenIdx = 1;
const adoptedIdx = 2;
const heartbeatOffset = 16;
const dataOffset = 32;
const capacity = 64 * 1024;
// ES2024 (Node >= 16); the repository's TypeScript lib predates it.
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, t: number): { value: Promise<string> | string };
  }
).waitAsync;

export interface CommittedConfig {
  config: Record<string, unknown>;
  who: string;
}

export class SharedState {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly heartbeat: BigInt64Array;
  private readonly bytes: Uint8Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(dataOffset + capacity)) {
    this.buffer = buffer;
    this.ints = new Int32Array(buffer, 0, 4);
    this.heartbeat = new BigInt64Array(buffer, heartbeatOffset, 1);
    this.bytes = new Uint8Array(buffer, dataOffset, capacity);
  }

  /** Committed config version (0 = the defaults the service started with). */
  version(): number {
    return Atomics.load(this.ints, seqIdx) >> 1;
  }

  /** Admin thread: publishes a new committed config; returns its version. */
  commit(record: CommittedConfig): number {
    const data = new TextEncoder().encode(JSON.stringify(record));
    if (data.length > capacity) throw new Error(`config record of ${data.length} bytes exceeds ${capacity}`);
    Atomics.add(this.ints, seqIdx, 1);
    this.bytes.set(data);
    Atomics.store(this.ints, lenIdx, data.length);
    return (Atomics.add(this.ints, seqIdx, 1) + 1) >> 1;
  }

  /** Main thread: the committed record if its version is newer than `seen`, else undefined (also while torn). */
  read(seen: number): { version: number; record: CommittedConfig } | undefined {
    const seq = Atomics.load(this.ints, seqIdx);
    if (seq & 1 || seq >> 1 === seen) return undefined;
    const len = Atomics.load(this.ints, lenIdx);
    const copy = this.bytes.slice(0, len);
    if (Atomics.load(this.ints, seqIdx) !== seq) return undefined;
    return { version: seq >> 1, record: JSON.parse(new TextDecoder().decode(copy)) as CommittedConfig };
  }

  /** Main thread: the committed version now in effect. */
  markAdopted(version: number): void {
    Atomics.store(this.ints, adoptedIdx, version);
    Atomics.notify(this.ints, adoptedIdx);
  }

  adopted(): number {
    return Atomics.load(this.ints, adoptedIdx);
  }

  /** Admin thread: resolves true once the main thread adopted `version`, false after `timeoutMs`. */
  async waitAdopted(version: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = this.adopted();
      if (now >= version) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await waitAsync(this.ints, adoptedIdx, now, left).value;
    }
  }

  beat(now = Date.now()): void {
    Atomics.store(this.heartbeat, 0, BigInt(now));
  }

  /** Milliseconds since the main thread's last heartbeat. */
  heartbeatAgeMs(now = Date.now()): number {
    return now - Number(Atomics.load(this.heartbeat, 0));
  }
}
