import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { call, patchConfig, resetConfig } from '../../common/test/helpers/http.ts';
import { maxDuring, sampleValue, scrape } from '../../common/test/helpers/prom-text.ts';

let sut: TestSut;
let token: string;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
  token = await sut.token('gateway-knobs');
});
afterAll(async () => {
  await sut?.stop();
});
// Each test starts from the defaults, whatever the one before it changed or where it failed.
afterEach(async () => {
  await Promise.all([sut.urls.gatewayAdmin, sut.urls.api].map((url) => resetConfig(url, token)));
});

/** 20 concurrent recommendation requests (each holds its upstream connection for a worker's compute). */
const burst = (n = 20) =>
  Promise.all(Array.from({ length: n }, (_, i) => call(`${sut.urls.gateway}/api/recommendations/${1 + (i % 20)}`)));

describe('gateway upstreamPoolSize', () => {
  it('with the default pool, 20 concurrent requests never wait for a connection', async () => {
    // Warm-up bursts, wider than the measured one, open the connections (a request waits while its connection
    // is being set up, and counts as pending then); kept alive, they serve the measured burst.
    await burst(30);
    await burst(30);
    const { result, max } = await maxDuring(sut.urls.gatewayAdmin, 'gateway_upstream_pool_pending_requests', {}, () =>
      burst(),
    );
    expect(result.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(max).toBe(0);
  });

  it('with one connection, the same requests queue at the gateway', async () => {
    expect((await patchConfig(sut.urls.gatewayAdmin, { upstreamPoolSize: 1 }, token)).status).toBe(200);
    expect(sampleValue(await scrape(sut.urls.gatewayAdmin), 'gateway_upstream_pool_size')).toBe(1);
    const { result, max } = await maxDuring(sut.urls.gatewayAdmin, 'gateway_upstream_pool_pending_requests', {}, () =>
      burst(),
    );
    expect(result.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(max).toBeGreaterThan(0);
    const metrics = await scrape(sut.urls.gatewayAdmin);
    // One connection in use or idle: the pool really opened no more than one.
    const open =
      (sampleValue(metrics, 'gateway_upstream_pool_connections', { state: 'busy' }) ?? 0) +
      (sampleValue(metrics, 'gateway_upstream_pool_connections', { state: 'free' }) ?? 0);
    expect(open).toBeLessThanOrEqual(1);
  });
});

describe('gateway rateLimitRps', () => {
  it('off by default: a burst of 30 is all admitted', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => call(`${sut.urls.gateway}/api/products`)));
    expect(results.filter((r) => r.status === 429)).toEqual([]);
  });

  it('at 5 req/s a burst gets 429 with Retry-After, counted, and never reaches api', async () => {
    expect((await patchConfig(sut.urls.gatewayAdmin, { rateLimitRps: 5 }, token)).status).toBe(200);
    const apiBefore = await scrape(sut.urls.api);
    const results = await Promise.all(Array.from({ length: 30 }, () => call(`${sut.urls.gateway}/api/products`)));
    const limited = results.filter((r) => r.status === 429);
    const admitted = results.filter((r) => r.status === 200);
    expect(limited.length).toBeGreaterThan(0);
    expect(admitted.length).toBeGreaterThan(0);
    expect(limited.length + admitted.length).toBe(30);
    for (const r of limited) {
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.json.error).toMatchObject({ code: 'rate_limited', message: expect.stringMatching(/too many requests/) });
    }
    expect(sampleValue(await scrape(sut.urls.gatewayAdmin), 'gateway_rate_limited_total')).toBe(limited.length);
    const served = (text: string) =>
      sampleValue(text, 'http_server_request_duration_seconds_count', {
        route: '/api/products',
        method: 'GET',
        status_code: '200',
      }) ?? 0;
    expect(served(await scrape(sut.urls.api)) - served(apiBefore)).toBe(admitted.length);
  });
});

describe('gateway upstreamTimeoutMs', () => {
  it('a request slower than the timeout gets 504 naming the limit', async () => {
    // One worker thread and the smallest timeout: 20 recommendations cannot all finish in 100 ms.
    expect((await patchConfig(sut.urls.api, { workerPoolSize: 1 }, token)).status).toBe(200);
    expect((await patchConfig(sut.urls.gatewayAdmin, { upstreamTimeoutMs: 100 }, token)).status).toBe(200);
    const results = await burst();
    const timedOut = results.filter((r) => r.status === 504);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut[0].json.error.message).toMatch(/api did not answer within 100 ms/);
    expect(
      sampleValue(await scrape(sut.urls.gatewayAdmin), 'gateway_upstream_errors_total', { kind: 'timeout' }),
    ).toBeGreaterThanOrEqual(timedOut.length);
  });
});

describe('a user who gives up', () => {
  it('frees their place: queued upstream requests of closed connections never reach api', async () => {
    // One upstream connection and one worker: 12 recommendations queue at the gateway, ~45 ms each.
    expect((await patchConfig(sut.urls.api, { workerPoolSize: 1 }, token)).status).toBe(200);
    expect((await patchConfig(sut.urls.gatewayAdmin, { upstreamPoolSize: 1 }, token)).status).toBe(200);
    const served = (text: string) =>
      sampleValue(text, 'http_server_request_duration_seconds_count', {
        route: '/api/recommendations/:id',
        method: 'GET',
        status_code: '200',
      }) ?? 0;
    const before = served(await scrape(sut.urls.api));
    const n = 12;
    const gaveUp = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        fetch(`${sut.urls.gateway}/api/recommendations/${1 + i}`, { signal: AbortSignal.timeout(80) }).then(
          () => 'answered',
          (err: Error) => err.name,
        ),
      ),
    );
    expect(gaveUp.filter((r) => r === 'TimeoutError').length).toBeGreaterThan(n / 2);
    // The gateway's queue empties at once instead of feeding api the requests nobody waits for.
    await expect
      .poll(async () => sampleValue(await scrape(sut.urls.gatewayAdmin), 'gateway_upstream_pool_pending_requests'), {
        timeout: 2000,
      })
      .toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(served(await scrape(sut.urls.api)) - before).toBeLessThan(n / 2);
  });
});
