import type { JourneyName, JourneyWeights } from './plan-schema.ts';
import { journeyNames } from './plan-schema.ts';

/** A seeded source of uniform numbers in [0, 1). */
export type Random = () => number;

// Hand-written because Math.random cannot be seeded and the project needs reproducible runs given a seed;
// mulberry32 is a well-known 32-bit generator, plenty for choosing journeys and parameters.
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer drawn uniformly from [min, max]. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Draws journeys in proportion to their weights (weights of 0 are never drawn). */
export function createJourneyPicker(weights: JourneyWeights, random: Random): () => JourneyName {
  const names = journeyNames.filter((n) => weights[n] > 0);
  const cumulative: number[] = [];
  let total = 0;
  for (const n of names) cumulative.push((total += weights[n]));
  return () => {
    const x = random() * total;
    for (let i = 0; i < names.length; i++) if (x < cumulative[i]) return names[i];
    return names[names.length - 1];
  };
}
