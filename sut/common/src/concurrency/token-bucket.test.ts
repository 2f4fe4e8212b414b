import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('TokenBucket', () => {
  it('admits a burst, then refuses with the whole seconds to wait, then refills steadily', () => {
    const c = clock();
    const b = new TokenBucket({ burst: 3, perSecond: 2 }, c.now);
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 0]);
    expect(b.take()).toBe(1);
    c.advance(499);
    expect(b.wait()).toBe(1);
    c.advance(1);
    expect(b.take()).toBe(0);
    expect(b.take()).toBe(1);
    c.advance(10_000);
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([0, 0, 0, 1]);
  });

  it('wait() answers without spending', () => {
    const b = new TokenBucket({ burst: 1, perSecond: 0.25 }, clock().now);
    expect(b.wait()).toBe(0);
    expect(b.wait()).toBe(0);
    expect(b.take()).toBe(0);
    expect(b.wait()).toBe(4);
  });

  it('is off with a null limit, starts full when turned on, and keeps no more than a lowered burst', () => {
    const c = clock();
    const b = new TokenBucket(null, c.now);
    for (let i = 0; i < 1000; i++) expect(b.take()).toBe(0);
    b.setLimit({ burst: 5, perSecond: 5 });
    for (let i = 0; i < 5; i++) expect(b.take()).toBe(0);
    expect(b.take()).toBe(1);
    c.advance(1000);
    b.setLimit({ burst: 2, perSecond: 2 });
    expect([b.take(), b.take(), b.take()]).toEqual([0, 0, 1]);
    b.setLimit(null);
    expect(b.take()).toBe(0);
  });
});
