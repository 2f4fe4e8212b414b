import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, postJson, rawRequest } from '../../common/test/helpers/http.ts';
import { withDb } from '../../common/test/helpers/shop-db.ts';

let sut: TestSut & { db: { url: string } };
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
});
afterAll(async () => {
  await sut?.stop();
});

const expectProduct = (p: any) => {
  expect(p).toEqual({
    id: expect.any(Number),
    sku: expect.stringMatching(/^SKU-\d+$/),
    name: expect.any(String),
    category: expect.any(String),
    priceCents: expect.any(Number),
  });
  expect(Number.isInteger(p.priceCents) && p.priceCents > 0).toBe(true);
};

describe('shop endpoints through the gateway', () => {
  it('lists the first page of 12 products in id order', async () => {
    const r = await call(`${sut.urls.gateway}/api/products`);
    expect(r.status).toBe(200);
    expect(r.json.page).toBe(1);
    expect(r.json.pageSize).toBe(12);
    expect(r.json.products.map((p: any) => p.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    r.json.products.forEach(expectProduct);
  });

  it('pages through the catalogue', async () => {
    const r = await call(`${sut.urls.gateway}/api/products?page=3`);
    expect(r.status).toBe(200);
    expect(r.json.page).toBe(3);
    expect(r.json.products.map((p: any) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => 25 + i));
    const last = await call(`${sut.urls.gateway}/api/products?page=500`);
    expect(last.status).toBe(200);
    expect(last.json.products).toEqual([]);
  });

  it('searches product names case-insensitively', async () => {
    const r = await call(`${sut.urls.gateway}/api/products?search=LAMP`);
    expect(r.status).toBe(200);
    expect(r.json.products.length).toBeGreaterThan(0);
    for (const p of r.json.products) {
      expectProduct(p);
      expect(p.name.toLowerCase()).toContain('lamp');
    }
    const expected = await withDb(sut.db.url, async (c) =>
      (await c.query(`SELECT id FROM shop.products WHERE lower(name) LIKE '%lamp%' ORDER BY id LIMIT 12`)).rows.map(
        (x) => x.id,
      ),
    );
    expect(r.json.products.map((p: any) => p.id)).toEqual(expected);
  });

  it('shows one product with description and live availability from inventory', async () => {
    const r = await call(`${sut.urls.gateway}/api/products/5`);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      id: 5,
      sku: 'SKU-00005',
      description: expect.any(String),
      availability: { productId: 5, warehouses: 250 },
    });
    const available = await withDb(
      sut.db.url,
      async (c) =>
        (await c.query('SELECT sum(quantity - reserved)::int AS n FROM inventory.stock WHERE product_id = 5')).rows[0]
          .n,
    );
    expect(r.json.availability.available).toBe(available);
  });

  it('recommends six other existing products', async () => {
    const r = await call(`${sut.urls.gateway}/api/recommendations/5`);
    expect(r.status).toBe(200);
    expect(r.json.productId).toBe(5);
    const ids: number[] = r.json.recommendations;
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    expect(ids).not.toContain(5);
    expect(
      ids.filter((id) => id < 1 || id > 2000),
      'ids outside 1..2000',
    ).toEqual([]);
  });

  it('places an order', async () => {
    const r = await postJson(`${sut.urls.gateway}/api/orders`, {
      customerId: 'shape-1',
      items: [{ productId: 3, quantity: 2 }],
    });
    expect(r.status).toBe(201);
    expect(r.json.order).toEqual({
      id: expect.any(Number),
      totalCents: expect.any(Number),
      createdAt: expect.any(String),
      customerId: 'shape-1',
      status: 'confirmed',
      items: [{ productId: 3, quantity: 2 }],
    });
    expect(Number.isNaN(Date.parse(r.json.order.createdAt))).toBe(false);
  });
});

describe('admin routes are never reachable through the gateway user port', () => {
  const adminMarkers = /upstreamPoolSize|dbPoolMax|pricingVersion|stockIndex|# HELP|"status":"ok"|properties/;
  const paths = [
    '/config',
    '/config/schema',
    '/metrics',
    '/healthz',
    '/api/config',
    '/api/config/schema',
    '/api/metrics',
    '/api/healthz',
    '/api/../config',
    '/api/../metrics',
    '/api/%2e%2e/config',
    '/api/%2E%2E/config',
    '/api/..%2fconfig',
    '/api/%2e%2e%2fconfig',
    '/api/..%5cconfig',
    '/api/products/../../config',
    '//config',
    '/api//config',
    '/api/./../healthz',
    '/inventory/stock/1',
    '/api/../inventory/stock/1',
  ];
  it.each(paths)('GET %s is refused', async (path) => {
    const r = await rawRequest(sut.urls.gateway, 'GET', path);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toMatch(adminMarkers);
    expect(r.json?.error?.message).toEqual(expect.any(String));
  });

  it('PATCH /config and /api/config with a valid token change nothing', async () => {
    const before = await call(`${sut.urls.gatewayAdmin}/config`);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await sut.token()}` };
    for (const path of ['/config', '/api/config', '/api/../config', '/api/%2e%2e/config']) {
      const r = await rawRequest(sut.urls.gateway, 'PATCH', path, {
        headers,
        body: JSON.stringify({ rateLimitRps: 1 }),
      });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    expect((await call(`${sut.urls.gatewayAdmin}/config`)).json).toEqual(before.json);
  });

  it('the admin port itself does serve them (so the refusals above are about the port)', async () => {
    expect((await call(`${sut.urls.gatewayAdmin}/config`)).json).toHaveProperty('upstreamPoolSize');
    expect((await call(`${sut.urls.gatewayAdmin}/healthz`)).status).toBe(200);
  });
});
