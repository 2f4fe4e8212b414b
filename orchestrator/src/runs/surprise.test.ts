import { describe, expect, it } from 'vitest';
import { pickSurprise } from './surprise.ts';

const ids = [
  'cpu-regression',
  'db-connection-exhaustion',
  'db-slow-query',
  'gateway-pool-lowered',
  'traffic-spike',
  'worker-pool-saturation',
];

describe('pickSurprise', () => {
  it('replays the same incident for the same seed, whatever the listing order', () => {
    expect(pickSurprise(ids, 42)).toBe(pickSurprise([...ids].reverse(), 42));
  });

  it('spreads seeds over the whole library', () => {
    const seen = new Set(Array.from({ length: 200 }, (_, seed) => pickSurprise(ids, seed)));
    expect(seen.size).toBe(ids.length);
  });

  it('refuses an empty library', () => {
    expect(() => pickSurprise([], 1)).toThrow('no scenario');
  });
});
