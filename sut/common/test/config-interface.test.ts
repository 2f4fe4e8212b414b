import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, patchConfig } from './helpers/http.ts';
import { sampleValue, scrape } from './helpers/prom-text.ts';

let sut: TestSut;
let token: string;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  token = await sut.token('config-tester');
});
afterAll(async () => {
  await sut?.stop();
});

// The admin ports (each service's admin thread); the shop-port compatibility routes are checked at the end.
const admin = () => ({ gateway: sut.urls.gatewayAdmin, api: sut.urls.apiAdmin, inventory: sut.urls.inventoryAdmin });
const defaults = {
  gateway: { upstreamPoolSize: 64, upstreamTimeoutMs: 5000, retryCount: 0, rateLimitRps: 0 },
  api: { pricingVersion: '1.0', workerPoolSize: 8, dbPoolMax: 20, inventoryTimeoutMs: 2000 },
  inventory: { dbPoolMax: 10, stockIndex: 'present', slowQueryThresholdMs: 200 },
};
type Service = keyof typeof defaults;
const services = Object.keys(defaults) as Service[];

describe('GET /config and /config/schema', () => {
  it.each(services)('%s serves its healthy defaults', async (s) => {
    const r = await call(`${admin()[s]}/config`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual(defaults[s]);
  });

  it.each(services)('%s describes every knob with default, range and description', async (s) => {
    const r = await call(`${admin()[s]}/config/schema`);
    expect(r.status).toBe(200);
    expect(r.json.type).toBe('object');
    expect(r.json.additionalProperties).toBe(false);
    expect(Object.keys(r.json.properties).sort()).toEqual(Object.keys(defaults[s]).sort());
    for (const [key, prop] of Object.entries<any>(r.json.properties)) {
      expect(prop.default, key).toEqual((defaults[s] as Record<string, unknown>)[key]);
      expect(prop.description, key).toEqual(expect.stringMatching(/\w{3,}/));
      if (prop.type === 'integer' || prop.type === 'number') {
        expect(typeof prop.minimum, key).toBe('number');
        expect(typeof prop.maximum, key).toBe('number');
        expect(prop.minimum).toBeLessThanOrEqual(prop.default);
        expect(prop.maximum).toBeGreaterThanOrEqual(prop.default);
      } else {
        expect(prop.enum, key).toContain(prop.default);
      }
    }
  });
});

describe('PATCH /config', () => {
  it('applies a partial update, answers the new config and the change list, logs and counts it', async () => {
    const url = sut.urls.apiAdmin;
    const r = await patchConfig(url, { inventoryTimeoutMs: 3000 }, token);
    expect(r.status).toBe(200);
    expect(r.json.config).toEqual({ ...defaults.api, inventoryTimeoutMs: 3000 });
    expect(r.json.changes).toEqual([{ key: 'inventoryTimeoutMs', from: 2000, to: 3000 }]);
    expect((await call(`${url}/config`)).json).toEqual(r.json.config);

    const log = await sut.waitForLog(
      (e) => e.service === 'api' && e.json?.msg === 'config changed' && e.json.key === 'inventoryTimeoutMs',
    );
    expect(log.json).toMatchObject({
      who: 'config-tester',
      key: 'inventoryTimeoutMs',
      from: 2000,
      to: 3000,
      level: 'info',
    });
    const metrics = await scrape(url);
    expect(sampleValue(metrics, 'config_changes_total', { key: 'inventoryTimeoutMs' })).toBe(1);
    expect(sampleValue(metrics, 'runtime_config_value', { key: 'inventoryTimeoutMs' })).toBe(3000);
  });

  it('a patch equal to the current config changes nothing and logs nothing', async () => {
    const before = sut.logs.length;
    const r = await patchConfig(sut.urls.apiAdmin, { inventoryTimeoutMs: 3000 }, token);
    expect(r.status).toBe(200);
    expect(r.json.changes).toEqual([]);
    expect(sut.logs.slice(before).filter((e) => e.json?.msg === 'config changed')).toEqual([]);
  });

  const invalid: [string, Service, string, string[]][] = [
    ['unknown key', 'gateway', JSON.stringify({ upstreamPoolSize: 8, poolSize: 3 }), ['(root)']],
    ['wrong type', 'gateway', JSON.stringify({ upstreamPoolSize: '8' }), ['upstreamPoolSize']],
    ['below range', 'api', JSON.stringify({ workerPoolSize: 0 }), ['workerPoolSize']],
    ['above range', 'inventory', JSON.stringify({ dbPoolMax: 101 }), ['dbPoolMax']],
    ['fraction', 'api', JSON.stringify({ dbPoolMax: 2.5 }), ['dbPoolMax']],
    ['unknown enum value', 'api', JSON.stringify({ pricingVersion: '2.0' }), ['pricingVersion']],
    [
      'one good and two bad fields',
      'api',
      JSON.stringify({ dbPoolMax: 5, workerPoolSize: -1, inventoryTimeoutMs: 'slow' }),
      ['workerPoolSize', 'inventoryTimeoutMs'],
    ],
    ['an array', 'inventory', JSON.stringify([{ dbPoolMax: 5 }]), ['(root)']],
    ['a number', 'inventory', '5', ['(root)']],
    ['null', 'inventory', 'null', ['(root)']],
    ['malformed JSON', 'gateway', '{"rateLimitRps": ', []],
  ];
  it.each(invalid)("%s (%s) -> 400 with each field's reason, nothing changed", async (_name, s, body, paths) => {
    const url = admin()[s];
    const before = (await call(`${url}/config`)).json;
    const changesBefore = (await scrape(url)).match(/^config_changes_total\{.*$/gm) ?? [];
    const r = await patchConfig(url, body, token);
    expect(r.status).toBe(400);
    expect(r.json.error.message).toEqual(expect.any(String));
    const issuePaths = (r.json.error.issues ?? []).map((i: any) => i.path);
    for (const p of paths) expect(issuePaths).toContain(p);
    for (const i of r.json.error.issues ?? []) expect(i.message).toEqual(expect.stringMatching(/\w/));
    expect((await call(`${url}/config`)).json).toEqual(before);
    expect((await scrape(url)).match(/^config_changes_total\{.*$/gm) ?? []).toEqual(changesBefore);
  });

  it('concurrent PATCHes of one knob all apply, one after the other', async () => {
    const url = sut.urls.gatewayAdmin;
    const initial = (await call(`${url}/config`)).json.upstreamTimeoutMs;
    const values = Array.from({ length: 12 }, (_, i) => 1000 + i * 100);
    const results = await Promise.all(values.map((v) => patchConfig(url, { upstreamTimeoutMs: v }, token)));
    expect(results.map((r) => r.status)).toEqual(values.map(() => 200));
    const changes = results.map((r) => r.json.changes[0]);
    expect(changes.map((c) => c.to).sort()).toEqual([...values].sort());
    // Serialized: each change starts from the value the previous one left, forming one chain from `initial`.
    const final = (await call(`${url}/config`)).json.upstreamTimeoutMs;
    expect(values).toContain(final);
    const froms = changes.map((c) => c.from).sort();
    const expectedFroms = [initial, ...values.filter((v) => v !== final)].sort();
    expect(froms).toEqual(expectedFroms);
    expect(sampleValue(await scrape(url), 'runtime_config_value', { key: 'upstreamTimeoutMs' })).toBe(final);
  });

  it('POST /config/reset restores the defaults', async () => {
    const r = await call(`${sut.urls.gatewayAdmin}/config/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(200);
    expect(r.json.config).toEqual(defaults.gateway);
    expect((await call(`${sut.urls.gatewayAdmin}/config`)).json).toEqual(defaults.gateway);
  });
});

describe('the shop-port admin routes (compatibility, served by the main thread)', () => {
  it.each(['api', 'inventory'] as const)(
    '%s: reads match the admin port, and a write there goes through the same writer',
    async (s) => {
      const shop = sut.urls[s];
      expect((await call(`${shop}/config`)).json).toEqual((await call(`${admin()[s]}/config`)).json);
      expect((await call(`${shop}/config/schema`)).json).toEqual((await call(`${admin()[s]}/config/schema`)).json);
      expect((await call(`${shop}/healthz`)).status).toBe(200);
      const knob = s === 'api' ? { inventoryTimeoutMs: 2500 } : { slowQueryThresholdMs: 250 };
      const r = await patchConfig(shop, knob, token);
      expect(r.status).toBe(200);
      expect((await call(`${admin()[s]}/config`)).json).toMatchObject(knob);
      expect((await patchConfig(shop, { dbPoolMax: 0 }, token)).status).toBe(400);
      expect(
        (await call(`${shop}/config/reset`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json
          .config,
      ).toEqual(defaults[s]);
      expect((await call(`${admin()[s]}/config`)).json).toEqual(defaults[s]);
    },
  );
});
