/** Competitor price observations per product: the pricing engines' input. */
export const observationsPerProduct = 1400;

// Whole cents, so 32-bit integers: 2000 products x 1400 observations is 11.2 MB here (22.4 MB as Float64Array).
// 1400, not fewer: pricing 1.1 is quadratic, and cpu-regression needs its 80 req/s to want more than one core
// (~1.35 of one on the 2-core reference machine); at 1200 a quiet run sat just below and could meet the SLO.
const cache = new Map<number, Int32Array>();

/** Deterministic (seeded by product id), sorted ascending, ~3 % outliers; generated once per product. */
export function observationsFor(productId: number, basePriceCents: number): Int32Array {
  let obs = cache.get(productId);
  if (obs) return obs;
  obs = new Int32Array(observationsPerProduct);
  let seed = (productId * 2654435761) >>> 0;
  const rand = () => {
    // mulberry32: a tiny, well-known PRNG; reproducible input matters more than quality here
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < obs.length; i++) {
    const outlier = rand() < 0.03;
    const spread = outlier ? 0.6 + rand() * 1.2 : 0.85 + rand() * 0.3;
    obs[i] = Math.round(basePriceCents * spread);
  }
  obs.sort();
  cache.set(productId, obs);
  return obs;
}
