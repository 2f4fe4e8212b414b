/** Picks a scenario id from a seed, deterministically over the sorted ids (same seed, same incident). */
export function pickSurprise(ids: readonly string[], seed: number): string {
  if (ids.length === 0) throw new Error('no scenario to pick from');
  const sorted = [...ids].sort();
  // One round of a 32-bit integer hash (Thomas Wang's) spreads neighbouring seeds over the library.
  let h = seed >>> 0;
  h = h ^ 61 ^ (h >>> 16);
  h = Math.imul(h, 9);
  h ^= h >>> 4;
  h = Math.imul(h, 0x27d4eb2d);
  h ^= h >>> 15;
  return sorted[(h >>> 0) % sorted.length];
}
