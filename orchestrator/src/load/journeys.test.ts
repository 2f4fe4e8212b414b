import { describe, expect, it } from 'vitest';
import type { JourneyName } from './plan-schema.ts';
import { defaultJourneyWeights, journeyWeightsSchema } from './plan-schema.ts';
import { catalog, buildJourneyRequest } from './journeys.ts';
import { createJourneyPicker, createRandom } from './random.ts';

const draw = (seed: number, n: number, weights = journeyWeightsSchema.parse(undefined)) => {
  const random = createRandom(seed);
  const pick = createJourneyPicker(weights, random);
  return Array.from({ length: n }, () => {
    const journey = pick();
    return buildJourneyRequest(journey, random);
  });
};

describe('weighted journey choice', () => {
  it('replays the same requests for the same seed and differs for another seed', () => {
    expect(draw(42, 200)).toEqual(draw(42, 200));
    expect(draw(42, 200)).not.toEqual(draw(43, 200));
  });

  it('draws journeys in proportion to their weights', () => {
    const n = 20_000;
    const counts: Record<string, number> = {};
    for (const r of draw(7, n)) counts[r.journey] = (counts[r.journey] ?? 0) + 1;
    const total = Object.values(defaultJourneyWeights).reduce((a, b) => a + b, 0);
    for (const [journey, weight] of Object.entries(defaultJourneyWeights)) {
      expect(counts[journey] / n).toBeCloseTo(weight / total, 1);
    }
  });

  it('never draws a journey of weight 0', () => {
    const weights = journeyWeightsSchema.parse({ view: 1, checkout: 1 });
    const seen = new Set<JourneyName>(draw(3, 2000, weights).map((r) => r.journey));
    expect([...seen].sort()).toEqual(['checkout', 'view']);
  });
});

describe('journey requests', () => {
  it('stay within the seeded catalogue and the shop paths', () => {
    for (const r of draw(11, 3000)) {
      const url = new URL(r.path, 'http://shop');
      switch (r.journey) {
        case 'browse': {
          const page = Number(url.searchParams.get('page'));
          expect(url.pathname).toBe('/api/products');
          expect(page).toBeGreaterThanOrEqual(catalog.pages.min);
          expect(page).toBeLessThanOrEqual(catalog.pages.max);
          break;
        }
        case 'search':
          expect(catalog.searchTerms).toContain(url.searchParams.get('search'));
          break;
        case 'view':
        case 'recommendations': {
          const m = /^\/api\/(products|recommendations)\/(\d+)$/.exec(url.pathname);
          expect(m?.[1]).toBe(r.journey === 'view' ? 'products' : 'recommendations');
          expect(Number(m?.[2])).toBeGreaterThanOrEqual(1);
          expect(Number(m?.[2])).toBeLessThanOrEqual(2000);
          break;
        }
        case 'checkout': {
          expect(r.method).toBe('POST');
          expect(url.pathname).toBe('/api/orders');
          const body = JSON.parse(r.body ?? '') as {
            customerId: string;
            items: { productId: number; quantity: number }[];
          };
          expect(body.customerId).toMatch(/^user-\d+$/);
          expect(body.items.length).toBeGreaterThanOrEqual(1);
          expect(body.items.length).toBeLessThanOrEqual(3);
          expect(new Set(body.items.map((i) => i.productId)).size).toBe(body.items.length);
          for (const i of body.items) expect([1, 2, 3]).toContain(i.quantity);
          break;
        }
      }
    }
  });

  it('uses every journey, search term and item count over a long run', () => {
    const requests = draw(5, 5000);
    expect(new Set(requests.map((r) => r.journey)).size).toBe(5);
    const terms = new Set(
      requests
        .filter((r) => r.journey === 'search')
        .map((r) => new URL(r.path, 'http://shop').searchParams.get('search')),
    );
    expect(terms.size).toBe(catalog.searchTerms.length);
    const sizes = new Set(
      requests
        .filter((r) => r.journey === 'checkout')
        .map((r) => (JSON.parse(r.body ?? '') as { items: unknown[] }).items.length),
    );
    expect([...sizes].sort()).toEqual([1, 2, 3]);
  });
});
