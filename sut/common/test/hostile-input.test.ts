import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import {
  deepArray,
  deepObject,
  expectRefused,
  hostileStrings,
  malformedBodies,
  send,
} from '../../../test-support/hostile-input.ts';
import { shopCounts, type ShopCounts } from './helpers/shop-db.ts';

// Every SUT endpoint that takes input, fed what an attacker or a broken client sends: a 4xx with a reason,
// no config change, no row written, and the services keep serving.
let sut: TestSut & { db: { url: string } };
let token: string;
let countsBefore: ShopCounts;
const configsBefore: Record<string, unknown> = {};

// The admin threads' ports; the main thread's compatibility routes share their guard and forward writes to them.
const admins = () => ({ gateway: sut.urls.gatewayAdmin, api: sut.urls.apiAdmin, inventory: sut.urls.inventoryAdmin });
const validPatch: Record<string, Record<string, unknown>> = {
  gateway: { upstreamPoolSize: 32 },
  api: { workerPoolSize: 4 },
  inventory: { slowQueryThresholdMs: 300 },
};
const json = (body: string, auth = true) => ({
  headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
  body,
});

beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  token = await sut.token('hostile-tester');
  countsBefore = await shopCounts(sut.db.url);
  for (const [name, url] of Object.entries(admins())) configsBefore[name] = (await send(url, 'GET', '/config')).json;
});
afterAll(async () => {
  await sut?.stop();
});

const configCases = (service: string): [string, string, number?][] => {
  const [knob] = Object.keys(validPatch[service]);
  const typed: [string, string, number?][] = [
    ['wrong type (string for number)', JSON.stringify({ [knob]: '32' })],
    ['wrong type (boolean)', JSON.stringify({ [knob]: true })],
    ['wrong type (null)', JSON.stringify({ [knob]: null })],
    ['wrong type (array)', JSON.stringify({ [knob]: [1] })],
    ['wrong type (object)', JSON.stringify({ [knob]: { $gt: 1 } })],
    ['out of range (negative)', JSON.stringify({ [knob]: -1 })],
    ['out of range (zero)', JSON.stringify({ [knob]: 0 })],
    ['out of range (huge)', JSON.stringify({ [knob]: 1e308 })],
    ['out of range (unsafe integer)', JSON.stringify({ [knob]: 2 ** 53 + 2 })],
    ['fraction for an integer', JSON.stringify({ [knob]: 1.5 })],
    ['empty body', ''],
  ];
  const enumKnob = service === 'api' ? 'pricingVersion' : service === 'inventory' ? 'stockIndex' : undefined;
  if (enumKnob)
    typed.push(
      ['enum value not in the list', JSON.stringify({ [enumKnob]: 'DROP INDEX' })],
      ['SQL in an enum knob', JSON.stringify({ [enumKnob]: hostileStrings.sql })],
    );
  return [...typed, ...malformedBodies(validPatch[service])];
};

describe.each(['gateway', 'api', 'inventory'])('PATCH /config of %s', (service) => {
  it.each(configCases(service))('%s -> 4xx with a reason, config unchanged', async (_name, body, status) => {
    const url = admins()[service as keyof ReturnType<typeof admins>];
    const r = await send(url, 'PATCH', '/config', json(body));
    expectRefused(r, status);
    expect((await send(url, 'GET', '/config')).json).toEqual(configsBefore[service]);
  });

  it.each([
    ['text/plain', 400],
    ['application/x-www-form-urlencoded', 415],
    ['application/xml', 415],
  ] as const)('content type %s -> %i', async (type, status) => {
    // fastify reads text/plain as a string, which the config then refuses as "not a JSON object".
    const url = admins()[service as keyof ReturnType<typeof admins>];
    expectRefused(
      await send(url, 'PATCH', '/config', {
        headers: { 'content-type': type, authorization: `Bearer ${token}` },
        body: JSON.stringify(validPatch[service]),
      }),
      status,
    );
    expect((await send(url, 'GET', '/config')).json).toEqual(configsBefore[service]);
  });

  it('without a token the body is never read: even a malformed one gets 401', async () => {
    const url = admins()[service as keyof ReturnType<typeof admins>];
    expectRefused(await send(url, 'PATCH', '/config', json('{"broken":', false)), 401);
    expectRefused(await send(url, 'POST', '/config/reset', json('{}', false)), 401);
  });
});

describe('concurrent writes to one config', () => {
  it('20 concurrent invalid patches of one knob: all 400, nothing changed', async () => {
    const rs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(sut.urls.gatewayAdmin, 'PATCH', '/config', json(JSON.stringify({ upstreamPoolSize: -i - 1 }))),
      ),
    );
    for (const r of rs) expectRefused(r, 400);
    expect((await send(sut.urls.gatewayAdmin, 'GET', '/config')).json).toEqual(configsBefore.gateway);
  });

  it('valid and invalid patches raced together: the invalid ones change nothing, the valid ones apply one at a time', async () => {
    const bodies = Array.from({ length: 16 }, (_, i) =>
      i % 2 ? { upstreamTimeoutMs: 1000 + i } : { upstreamTimeoutMs: 'soon', retryCount: 99 },
    );
    const rs = await Promise.all(
      bodies.map((b) => send(sut.urls.gatewayAdmin, 'PATCH', '/config', json(JSON.stringify(b)))),
    );
    for (const [i, r] of rs.entries()) {
      if (i % 2) expect(r.status).toBe(200);
      else expectRefused(r, 400);
    }
    const now = (await send(sut.urls.gatewayAdmin, 'GET', '/config')).json;
    expect(now.retryCount).toBe(0);
    expect(bodies.filter((_, i) => i % 2).map((b) => b.upstreamTimeoutMs)).toContain(now.upstreamTimeoutMs);
    expect(
      (await send(sut.urls.gatewayAdmin, 'POST', '/config/reset', { headers: { authorization: `Bearer ${token}` } }))
        .status,
    ).toBe(200);
    expect((await send(sut.urls.gatewayAdmin, 'GET', '/config')).json).toEqual(configsBefore.gateway);
  });
});

// [label, id]: a long id is refused by the router itself (414), the others by the schema (400).
const badIds: [string, string][] = [
  ['letters', 'abc'],
  ['negative', '-1'],
  ['zero', '0'],
  ['fraction', '1.5'],
  ['over int4', '99999999999'],
  ['SQL', encodeURIComponent(hostileStrings.sql)],
  ['encoded traversal', hostileStrings.encodedTraversal],
  ['5000 characters', 'x'.repeat(5000)],
];
const idStatus = (id: string) => (id.length > 1000 ? undefined : 400);

describe('inventory routes (internal path)', () => {
  it.each(badIds)('GET /inventory/stock/{id} with %s -> 4xx', async (_label, id) => {
    expectRefused(await send(sut.urls.inventory, 'GET', `/inventory/stock/${id}`), idStatus(id));
  });

  const validReservation = { orderRef: 'hostile-0001', items: [{ productId: 1, quantity: 1 }] };
  const reservationCases: [string, string, number?][] = [
    ['missing orderRef', JSON.stringify({ items: validReservation.items })],
    ['missing items', JSON.stringify({ orderRef: 'hostile-0002' })],
    ['empty items', JSON.stringify({ ...validReservation, items: [] })],
    ['quantity 0', JSON.stringify({ ...validReservation, items: [{ productId: 1, quantity: 0 }] })],
    ['quantity 11', JSON.stringify({ ...validReservation, items: [{ productId: 1, quantity: 11 }] })],
    ['string quantity', JSON.stringify({ ...validReservation, items: [{ productId: 1, quantity: '1' }] })],
    ['product id 0', JSON.stringify({ ...validReservation, items: [{ productId: 0, quantity: 1 }] })],
    ['SQL in orderRef', JSON.stringify({ ...validReservation, orderRef: hostileStrings.sql })],
    ['traversal in orderRef', JSON.stringify({ ...validReservation, orderRef: hostileStrings.traversal })],
    [
      '21 items',
      JSON.stringify({
        ...validReservation,
        items: Array.from({ length: 21 }, (_, i) => ({ productId: i + 1, quantity: 1 })),
      }),
    ],
    ['unknown item key', JSON.stringify({ ...validReservation, items: [{ productId: 1, quantity: 1, reserved: -5 }] })],
    ...malformedBodies(validReservation),
  ];
  it.each(reservationCases)('POST /inventory/reservations with %s -> 4xx', async (_name, body, status) => {
    expectRefused(
      await send(sut.urls.inventory, 'POST', '/inventory/reservations', {
        headers: { 'content-type': 'application/json' },
        body,
      }),
      status,
    );
  });

  it.each([
    ['too short', 'short'],
    ['SQL', encodeURIComponent(hostileStrings.sql)],
    ['encoded traversal', hostileStrings.encodedTraversal],
    ['5000 characters', 'x'.repeat(5000)],
    ['NUL bytes', '%00%00%00%00%00%00%00%00'],
  ])('DELETE /inventory/reservations/{orderRef} with %s -> 4xx', async (_label, ref) => {
    expectRefused(await send(sut.urls.inventory, 'DELETE', `/inventory/reservations/${ref}`), idStatus(ref));
  });
  it('DELETE of a well-formed but unknown reservation -> 404', async () => {
    expectRefused(await send(sut.urls.inventory, 'DELETE', '/inventory/reservations/no-such-order-ref'), 404);
  });
});

describe('api routes, directly and through the user gateway', () => {
  const order = { customerId: 'hostile', items: [{ productId: 1, quantity: 1 }] };
  it.each(malformedBodies(order))('POST /api/orders with %s -> 4xx (gateway and api)', async (_name, body, status) => {
    for (const base of [sut.urls.gateway, sut.urls.api]) {
      expectRefused(
        await send(base, 'POST', '/api/orders', { headers: { 'content-type': 'application/json' }, body }),
        status,
      );
    }
  });
  it.each(badIds)('GET /api/products/{id} with %s -> 4xx (gateway and api)', async (_label, id) => {
    for (const base of [sut.urls.gateway, sut.urls.api])
      expectRefused(await send(base, 'GET', `/api/products/${id}`), idStatus(id));
  });
  it.each([
    ['unknown query key', 'admin=1'],
    ['repeated page', 'page=1&page=2'],
    ['page out of range', 'page=100000'],
    ['very long search', `search=${'x'.repeat(5000)}`],
    ['search as an array', 'search[]=a&search[]=b'],
    ['control characters in search', 'search=%01%02'],
  ])('GET /api/products with %s -> 400', async (_name, q) => {
    for (const base of [sut.urls.gateway, sut.urls.api])
      expectRefused(await send(base, 'GET', `/api/products?${q}`), 400);
  });
  it.each([
    '/api/../config',
    '/api/%2e%2e/config',
    '/api/products/..%2F..%2Fconfig',
    '/api//config',
    '/api/..\\config',
    '/api/products/1/../../../metrics',
  ])('the gateway refuses the traversal %s', async (path) => {
    const r = await send(sut.urls.gateway, 'GET', path);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).not.toMatch(/upstreamPoolSize|process_cpu|# HELP/);
  });
  it.each([`/api/products/1?x=${deepArray(50)}`, `/api/products?search=${encodeURIComponent(deepObject(50))}`])(
    'odd query strings stay text: %s',
    async (path) => {
      const r = await send(sut.urls.gateway, 'GET', path.slice(0, 2000));
      expect(r.status).toBeLessThan(500);
    },
  );
});

describe('afterwards', () => {
  it('no row was written, no config changed, every service still serves', async () => {
    expect(await shopCounts(sut.db.url)).toEqual(countsBefore);
    for (const [name, url] of Object.entries(admins())) {
      expect((await send(url, 'GET', '/healthz')).status).toBe(200);
      expect((await send(url, 'GET', '/config')).json).toEqual(configsBefore[name]);
    }
    expect((await send(sut.urls.gateway, 'GET', '/api/products/1')).status).toBe(200);
    expect(sut.logs.filter((l) => l.json?.level === 'error' && /unhandled/.test(String(l.json?.msg)))).toEqual([]);
  });
});
