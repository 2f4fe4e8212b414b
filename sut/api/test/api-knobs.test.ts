import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, patchConfig, resetConfig, postJson } from '../../common/test/helpers/http.ts';
import { maxDuring, sampleValue, samples, scrape } from '../../common/test/helpers/prom-text.ts';

let sut: TestSut;
let token: string;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  token = await sut.token('api-knobs');
});
afterAll(async () => {
  await sut?.stop();
});
// Each test starts from the defaults, whatever the one before it changed or where it failed.
afterEach(async () => {
  await Promise.all([sut.urls.api].map((url) => resetConfig(url, token)));
});

const recommendations = (n = 20) =>
  Promise.all(Array.from({ length: n }, (_, i) => call(`${sut.urls.gateway}/api/recommendations/${100 + i}`)));

describe('api workerPoolSize', () => {
  it('sizes the real thread pool; one thread makes concurrent recommendations queue', async () => {
    expect(sampleValue(await scrape(sut.urls.api), 'worker_pool_threads')).toBe(8);
    expect((await patchConfig(sut.urls.api, { workerPoolSize: 1 }, token)).status).toBe(200);
    expect(sampleValue(await scrape(sut.urls.api), 'worker_pool_threads')).toBe(1);
    const { result, max } = await maxDuring(sut.urls.api, 'worker_pool_queue_depth', {}, () => recommendations());
    expect(result.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(max).toBeGreaterThan(0);
    const metrics = await scrape(sut.urls.api);
    expect(sampleValue(metrics, 'worker_pool_wait_seconds_count')).toBeGreaterThanOrEqual(20);
    expect(sampleValue(metrics, 'worker_pool_queue_depth')).toBe(0);
  });
});

describe('api dbPoolMax', () => {
  it('one connection makes concurrent checkouts wait for it', async () => {
    expect((await patchConfig(sut.urls.api, { dbPoolMax: 1 }, token)).status).toBe(200);
    expect(sampleValue(await scrape(sut.urls.api), 'db_pool_max')).toBe(1);
    const checkouts = () =>
      Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          postJson(`${sut.urls.gateway}/api/orders`, {
            customerId: `pool-${i}`,
            items: [{ productId: 20 + i, quantity: 1 }],
          }),
        ),
      );
    const { result, max } = await maxDuring(sut.urls.api, 'db_pool_pending_requests', {}, checkouts);
    const exhausted = result.filter((r) => r.status === 503);
    for (const r of exhausted)
      expect(r.json.error.message).toMatch(/timed out waiting for a database connection \(dbPoolMax 1/);
    expect(result.map((r) => r.status).filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(
      max + exhausted.length,
      'no checkout queued for the one connection, none timed out waiting for it',
    ).toBeGreaterThan(0);
    const metrics = await scrape(sut.urls.api);
    expect(sampleValue(metrics, 'db_pool_connections', { state: 'used' })).toBe(0);
  });
});

describe('api pricingVersion', () => {
  const timing = (text: string, version: string) => ({
    sum: sampleValue(text, 'pricing_compute_seconds_sum', { pricing_version: version }) ?? 0,
    count: sampleValue(text, 'pricing_compute_seconds_count', { pricing_version: version }) ?? 0,
  });
  const meanBetween = (a: string, b: string, version: string) =>
    (timing(b, version).sum - timing(a, version).sum) / (timing(b, version).count - timing(a, version).count);
  const browse = async () => {
    for (let page = 1; page <= 3; page++)
      expect((await call(`${sut.urls.gateway}/api/products?page=${page}`)).status).toBe(200);
  };

  it('1.1 is the quadratic engine: pricing takes far longer, and build_info says which runs', async () => {
    // The first pricing of a product also generates its observations: warm them up before comparing engines.
    await browse();
    const s0 = await scrape(sut.urls.api);
    expect(samples(s0, 'build_info').map((s) => s.labels.pricing_version)).toEqual(['1.0']);
    await browse();
    const s1 = await scrape(sut.urls.api);

    const r = await patchConfig(sut.urls.api, { pricingVersion: '1.1' }, token);
    expect(r.json.changes).toEqual([{ key: 'pricingVersion', from: '1.0', to: '1.1' }]);
    await browse();
    const s2 = await scrape(sut.urls.api);
    expect(samples(s2, 'build_info').map((s) => s.labels.pricing_version)).toEqual(['1.1']);
    expect(timing(s2, '1.1').count).toBe(36);
    // O(n²) against O(n) on 1400 observations: a thousandfold in theory; ten is a safe floor.
    expect(meanBetween(s1, s2, '1.1')).toBeGreaterThan(10 * meanBetween(s0, s1, '1.0'));
    expect(sampleValue(s2, 'runtime_config_value', { key: 'pricingVersion' })).toBe(1);

    await patchConfig(sut.urls.api, { pricingVersion: '1.0' }, token);
    expect(samples(await scrape(sut.urls.api), 'build_info').map((s) => s.labels.pricing_version)).toEqual(['1.0']);
  });
});

describe('api pricing for users who left', () => {
  it('is skipped: a page whose client closed the connection is answered 499, its products never priced', async () => {
    expect((await patchConfig(sut.urls.api, { pricingVersion: '1.1' }, token)).status).toBe(200);
    const priced = (m: string) => samples(m, 'pricing_compute_seconds_count').reduce((n, s) => n + s.value, 0);
    const abandoned = (m: string) =>
      samples(m, 'http_server_requests_abandoned_total', { route: '/api/products' }).reduce((n, s) => n + s.value, 0);
    const before = await scrape(sut.urls.api);
    // Forty catalogue pages at once on one event loop (12 quadratic prices each): most clients leave after 100 ms.
    const n = 40;
    const left = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        fetch(`${sut.urls.api}/api/products?page=${(i % 5) + 1}`, { signal: AbortSignal.timeout(100) }).then(
          () => false,
          () => true,
        ),
      ),
    );
    expect(left.filter(Boolean).length).toBeGreaterThan(n / 2);
    // Every page has been dealt with once the abandoned count stops moving.
    let after = await scrape(sut.urls.api);
    for (let last = -1; abandoned(after) !== last; after = await scrape(sut.urls.api)) {
      last = abandoned(after);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(abandoned(after) - abandoned(before)).toBeGreaterThan(0);
    // Pages still waited for, or already being priced when their client left, were priced; the others not. Pages
    // whose database answers arrive together are priced back to back before the event loop sees the closed
    // sockets, so 55-80 % of the 480 prices still run here (the more, the busier the machine); without the check
    // every one of them ran and none was answered 499.
    expect(priced(after) - priced(before)).toBeLessThan(n * 12);
  });
});
