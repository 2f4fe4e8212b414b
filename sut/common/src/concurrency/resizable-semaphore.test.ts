import { describe, expect, it } from 'vitest';
import { AcquireTimeoutError, ResizableSemaphore } from './resizable-semaphore.ts';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('ResizableSemaphore', () => {
  it('admits up to its size, then queues in order', async () => {
    const s = new ResizableSemaphore(2);
    await s.acquire();
    await s.acquire();
    const third = s.acquire();
    const fourth = s.acquire();
    expect(s.waiting).toBe(2);
    s.release();
    expect(await settled(third)).toBe(true);
    expect(await settled(fourth)).toBe(false);
    expect(s.inUse).toBe(2);
  });

  it('growing lets the queue in at once', async () => {
    const s = new ResizableSemaphore(1);
    await s.acquire();
    const waiting = [s.acquire(), s.acquire(), s.acquire()];
    s.resize(4);
    expect(await Promise.all(waiting.map(settled))).toEqual([true, true, true]);
    expect(s.inUse).toBe(4);
  });

  it('shrinking admits nobody until use drops below the new size', async () => {
    const s = new ResizableSemaphore(3);
    await Promise.all([s.acquire(), s.acquire(), s.acquire()]);
    s.resize(1);
    const next = s.acquire();
    s.release();
    s.release();
    expect(await settled(next)).toBe(false);
    s.release();
    expect(await settled(next)).toBe(true);
    expect(s.inUse).toBe(1);
  });

  it('gives up after the timeout or on abort, leaving the queue clean', async () => {
    const s = new ResizableSemaphore(1);
    await s.acquire();
    await expect(s.acquire({ timeoutMs: 10 })).rejects.toBeInstanceOf(AcquireTimeoutError);
    const ac = new AbortController();
    const aborted = s.acquire({ signal: ac.signal });
    ac.abort(new Error('user left'));
    await expect(aborted).rejects.toThrow('user left');
    expect(s.waiting).toBe(0);
  });
});
