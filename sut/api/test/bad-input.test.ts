import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, rawRequest } from '../../common/test/helpers/http.ts';
import { shopCounts, withDb, type ShopCounts } from '../../common/test/helpers/shop-db.ts';

let sut: TestSut & { db: { url: string } };
let before: ShopCounts;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  before = await shopCounts(sut.db.url);
});
afterAll(async () => {
  // Nothing any bad request of this file sent may have written a row.
  if (sut) expect(await shopCounts(sut.db.url)).toEqual(before);
  await sut?.stop();
});

const expectRefused = (r: { status: number; json?: any }, status?: number) => {
  if (status) expect(r.status).toBe(status);
  expect(r.status).toBeGreaterThanOrEqual(400);
  expect(r.status).toBeLessThan(500);
  expect(r.json?.error?.message).toEqual(expect.any(String));
  expect(r.json.error.message.length).toBeGreaterThan(0);
};

describe('bad shop input gets a 4xx with a reason and changes nothing', () => {
  const badIds = ['abc', '-1', '0', '1.5', '99999999999', '1e3', '0x10', '%20', '1;DROP'];
  it.each(badIds)('GET /api/products/%s -> 400', async (id) => {
    const r = await call(`${sut.urls.gateway}/api/products/${id}`);
    expectRefused(r, 400);
    expect(r.json.error.issues?.[0]?.path).toBe('id');
  });
  it.each(badIds)('GET /api/recommendations/%s -> 400', async (id) => {
    expectRefused(await call(`${sut.urls.gateway}/api/recommendations/${id}`), 400);
  });
  it('unknown products are 404', async () => {
    expectRefused(await call(`${sut.urls.gateway}/api/products/2001`), 404);
    expectRefused(await call(`${sut.urls.gateway}/api/recommendations/2001`), 404);
  });

  it.each(['page=0', 'page=-1', 'page=abc', 'page=1.5', 'page=501', 'limit=1000', 'search=' + 'x'.repeat(101)])(
    'GET /api/products?%s -> 400',
    async (q) => {
      expectRefused(await call(`${sut.urls.gateway}/api/products?${q}`), 400);
    },
  );

  const order = (body: unknown) => ({
    customerId: 'bad-input',
    items: [{ productId: 1, quantity: 1 }],
    ...(body as object),
  });
  const badOrders: [string, unknown, string][] = [
    ['zero quantity', order({ items: [{ productId: 1, quantity: 0 }] }), 'items.0.quantity'],
    ['negative quantity', order({ items: [{ productId: 1, quantity: -2 }] }), 'items.0.quantity'],
    ['over-limit quantity', order({ items: [{ productId: 1, quantity: 11 }] }), 'items.0.quantity'],
    ['fractional quantity', order({ items: [{ productId: 1, quantity: 1.5 }] }), 'items.0.quantity'],
    ['string quantity', order({ items: [{ productId: 1, quantity: '2' }] }), 'items.0.quantity'],
    ['zero product id', order({ items: [{ productId: 0, quantity: 1 }] }), 'items.0.productId'],
    ['huge product id', order({ items: [{ productId: 2 ** 40, quantity: 1 }] }), 'items.0.productId'],
    [
      'unknown product',
      order({
        items: [
          { productId: 1, quantity: 1 },
          { productId: 999_999, quantity: 1 },
        ],
      }),
      'items',
    ],
    [
      'duplicate items',
      order({
        items: [
          { productId: 2, quantity: 1 },
          { productId: 2, quantity: 3 },
        ],
      }),
      'items',
    ],
    ['no items', order({ items: [] }), 'items'],
    [
      'too many items',
      order({ items: Array.from({ length: 21 }, (_, i) => ({ productId: i + 1, quantity: 1 })) }),
      'items',
    ],
    ['unknown top-level key', order({ coupon: 'FREE' }), '(root)'],
    ['unknown item key', order({ items: [{ productId: 1, quantity: 1, priceCents: 1 }] }), 'items.0'],
    ['missing customer', { items: [{ productId: 1, quantity: 1 }] }, 'customerId'],
    ['SQL in customer id', order({ customerId: "x'); DROP TABLE shop.orders; --" }), 'customerId'],
    ['array body', [order({})], '(root)'],
    ['null body', null, '(root)'],
  ];
  it.each(badOrders)('POST /api/orders with %s -> 400 naming the field', async (_name, body, path) => {
    const r = await call(`${sut.urls.gateway}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expectRefused(r, 400);
    expect(r.json.error.issues.map((i: any) => i.path)).toContain(path);
  });

  it('malformed JSON -> 400', async () => {
    const r = await call(`${sut.urls.gateway}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"customerId": "a", "items": [',
    });
    expectRefused(r, 400);
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'content type %s -> 4xx',
    async (type) => {
      const r = await call(`${sut.urls.gateway}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: JSON.stringify(order({})),
      });
      expectRefused(r);
    },
  );

  it('a body over 64 KiB -> 413', async () => {
    const body = JSON.stringify(order({ customerId: 'x'.repeat(70 * 1024) }));
    const r = await call(`${sut.urls.gateway}/api/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expectRefused(r, 413);
  });

  it('unknown routes and methods -> 404', async () => {
    expectRefused(await call(`${sut.urls.gateway}/api/nope`), 404);
    expectRefused(await call(`${sut.urls.gateway}/api/products`, { method: 'DELETE' }), 404);
    expectRefused(await rawRequest(sut.urls.gateway, 'GET', '/'), 404);
  });
});

describe('SQL-looking search strings are plain text', () => {
  const literalMatches = (text: string) =>
    withDb(sut.db.url, async (c) =>
      (
        await c.query('SELECT id FROM shop.products WHERE strpos(lower(name), lower($1)) > 0 ORDER BY id LIMIT 12', [
          text,
        ])
      ).rows.map((r) => r.id),
    );

  it.each(["' OR 1=1 --", "'; DROP TABLE shop.products; --", '%', '_', '\\', '%lamp%', 'l_mp', '"', 'lamp\u0000'])(
    'search=%j finds only names containing it literally',
    async (text) => {
      const r = await call(`${sut.urls.gateway}/api/products?search=${encodeURIComponent(text)}`);
      if (text.includes('\u0000')) {
        // PostgreSQL text cannot hold NUL: a clean refusal is fine, a 500 is not.
        expect(r.status).toBeLessThan(500);
        return;
      }
      expect(r.status).toBe(200);
      expect(r.json.products.map((p: any) => p.id)).toEqual(await literalMatches(text.trim()));
    },
  );

  it('the catalogue is intact afterwards', async () => {
    expect((await shopCounts(sut.db.url)).products).toBe(2000);
    expect((await call(`${sut.urls.gateway}/api/products?search=lamp`)).json.products.length).toBeGreaterThan(0);
  });
});
