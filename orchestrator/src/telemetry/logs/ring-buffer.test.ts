import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.ts';

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity', () => {
    const ring = new RingBuffer<number>(3);
    const dropped = [1, 2, 3, 4, 5].map((n) => ring.push(n));
    expect(dropped).toEqual([undefined, undefined, undefined, 1, 2]);
    expect(ring.size).toBe(3);
    expect([...ring.newestFirst()]).toEqual([5, 4, 3]);
    expect(ring.oldest()).toBe(3);
  });
  it('shifts the oldest item and wraps around', () => {
    const ring = new RingBuffer<string>(2);
    ring.push('a');
    ring.push('b');
    expect(ring.shift()).toBe('a');
    ring.push('c');
    expect([...ring.newestFirst()]).toEqual(['c', 'b']);
    expect(ring.shift()).toBe('b');
    expect(ring.shift()).toBe('c');
    expect(ring.shift()).toBeUndefined();
    expect(ring.size).toBe(0);
  });
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: capacity must be a positive integer, got 0]`,
    );
  });
});
