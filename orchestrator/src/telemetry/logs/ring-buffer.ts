/**
 * Fixed-capacity FIFO with O(1) push and drop-oldest, iterable newest-first. Hand-written because JavaScript
 * has no built-in deque and `Array.shift()` is O(n) on a 5000-entry buffer at every line.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  #items: (T | undefined)[];
  #head = 0; // index of the oldest item
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends; when full, the oldest item is dropped and returned. */
  push(item: T): T | undefined {
    let dropped: T | undefined;
    if (this.#size === this.capacity) dropped = this.shift();
    this.#items[(this.#head + this.#size) % this.capacity] = item;
    this.#size++;
    return dropped;
  }

  /** Removes and returns the oldest item. */
  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.capacity;
    this.#size--;
    return item;
  }

  oldest(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  /** Newest first. */
  *newestFirst(): Generator<T> {
    for (let i = this.#size - 1; i >= 0; i--) yield this.#items[(this.#head + i) % this.capacity] as T;
  }
}
