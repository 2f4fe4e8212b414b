import type { JourneyName } from './plan-schema.ts';
import type { Random } from './random.ts';
import { randomInt } from './random.ts';

/** The shop's catalogue as the seed data creates it (sut/db/migrations: 2000 products). */
export const catalog = {
  productIds: { min: 1, max: 2000 },
  pages: { min: 1, max: 20 },
  customers: { min: 1, max: 10_000 },
  searchTerms: ['lamp', 'kettle', 'trail', 'pro', 'jacket', 'bottle', 'eco', 'tent', 'mug', 'retro'],
} as const;

/** One HTTP request of a journey, relative to the gateway's base URL. */
export interface JourneyRequest {
  journey: JourneyName;
  method: 'GET' | 'POST';
  path: string;
  /** JSON body for POST requests. */
  body?: string;
}

const productId = (random: Random) => randomInt(random, catalog.productIds.min, catalog.productIds.max);

/** Builds the request a simulated user makes on a journey; all parameters come from `random`. */
export function buildJourneyRequest(journey: JourneyName, random: Random): JourneyRequest {
  switch (journey) {
    case 'browse':
      return {
        journey,
        method: 'GET',
        path: `/api/products?page=${randomInt(random, catalog.pages.min, catalog.pages.max)}`,
      };
    case 'search': {
      const term = catalog.searchTerms[randomInt(random, 0, catalog.searchTerms.length - 1)];
      return { journey, method: 'GET', path: `/api/products?search=${encodeURIComponent(term)}` };
    }
    case 'view':
      return { journey, method: 'GET', path: `/api/products/${productId(random)}` };
    case 'recommendations':
      return { journey, method: 'GET', path: `/api/recommendations/${productId(random)}` };
    case 'checkout': {
      const customerId = `user-${randomInt(random, catalog.customers.min, catalog.customers.max)}`;
      const count = randomInt(random, 1, 3);
      const ids = new Set<number>();
      while (ids.size < count) ids.add(productId(random));
      const items = [...ids].map((id) => ({ productId: id, quantity: randomInt(random, 1, 3) }));
      return { journey, method: 'POST', path: '/api/orders', body: JSON.stringify({ customerId, items }) };
    }
  }
}
