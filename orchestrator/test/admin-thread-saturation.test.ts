// Issue 15, item 1: the fix path always works. Under cpu-regression (pricing 1.1 burning the api's main thread,
// the scenario's own load from the real load generator) with one more core kept busy, the api's admin port —
// served by its admin thread — answers reads within 1 s and a rollback within 2 s, and the rollback takes effect.
// The same for the gateway flooded as in traffic-spike, whose fix is its rateLimitRps knob.
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { startIsolatedSut, type TestSut } from '../../test-support/sut-harness.ts';
import { patchConfig } from '../../sut/common/test/helpers/http.ts';
import { sampleValue } from '../../sut/common/test/helpers/prom-text.ts';
import { createLoadGenerator, type LoadGenerator } from '../src/load/index.ts';
import { startCpuHog, type CpuHog } from '../src/verify/cpu-hog.ts';

/** The requirement (issue 15): bounds the platform relies on, not tunings of this machine. */
const fixBudgetMs = 2000;
const readBudgetMs = 1000;

let sut: TestSut;
let token: string;
let load: LoadGenerator | undefined;
let hog: CpuHog | undefined;

beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'), { keepLogs: 200 });
  token = await sut.token('saturation-test');
});
afterAll(async () => {
  await load?.stop();
  await hog?.stop();
  await sut?.stop();
});

const timed = async <T>(fn: () => Promise<T>): Promise<{ ms: number; r: T }> => {
  const t0 = performance.now();
  const r = await fn();
  return { ms: Math.round(performance.now() - t0), r };
};
const get = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(30_000) }).then(async (res) => ({
    status: res.status,
    text: await res.text(),
  }));
const pricedWith = (text: string, version: string) =>
  sampleValue(text, 'pricing_compute_seconds_count', { pricing_version: version }) ?? 0;

describe('admin thread under a saturated api', () => {
  it('reads answer within 1 s and a rollback PATCH answers and takes effect within 2 s', async () => {
    expect((await patchConfig(sut.urls.apiAdmin, { pricingVersion: '1.1' }, token)).status).toBe(200);
    // Bounded twice: stopped in afterAll, and by itself after 90 s.
    hog = startCpuHog({ cores: 1, maxSeconds: 90 });
    load = createLoadGenerator({ baseUrl: sut.urls.gateway });
    load.start({
      phases: [{ pattern: 'constant', durationS: 90, rps: 80 }],
      journeys: { browse: 30, search: 15, view: 35, recommendations: 12, checkout: 8 },
      timeoutMs: 5000,
    });

    // The fault bites: the users' p95 is far above the scenario's 250 ms SLO.
    await vi.waitFor(() => expect(load!.recent(1)[0]?.latencyMs?.p95 ?? 0).toBeGreaterThan(500), {
      timeout: 45_000,
      interval: 250,
    });

    // The old path, for the record: the same write through the main thread's compatibility route queues behind the shop's traffic.
    const viaMain = await timed(() => patchConfig(sut.urls.api, { inventoryTimeoutMs: 2100 }, token));
    const reads: Record<string, number> = {};
    for (const path of ['/config', '/healthz', '/metrics']) {
      const { ms, r } = await timed(() => get(`${sut.urls.apiAdmin}${path}`));
      expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(200);
      reads[path] = ms;
    }
    const before = pricedWith((await get(`${sut.urls.apiAdmin}/metrics`)).text, '1.0');
    const last5 = load.recent(5);
    const stillBiting = `p95 up to ${Math.round(Math.max(...last5.map((s) => s.latencyMs?.p95 ?? 0)))} ms, ${last5.reduce((n, s) => n + s.outcomes.timeout, 0)} timeouts`;

    const rollback = await timed(() => patchConfig(sut.urls.apiAdmin, { pricingVersion: '1.0' }, token));
    console.log(
      `saturated api (users in the last 5 s: ${stillBiting}; ${load.inFlight} requests in flight): admin reads ${JSON.stringify(reads)} ms; rollback PATCH ${rollback.ms} ms on the admin thread; the same kind of PATCH through the main thread's route ${viaMain.ms} ms (status ${viaMain.r.status})`,
    );
    for (const [path, ms] of Object.entries(reads)) expect(ms, `GET ${path}`).toBeLessThan(readBudgetMs);
    // 200, not 202: the main thread adopted it (its next config.get() returned 1.0) before the answer.
    expect(rollback.r.status, JSON.stringify(rollback.r.json)).toBe(200);
    expect(rollback.r.json.changes).toEqual([{ key: 'pricingVersion', from: '1.1', to: '1.0' }]);
    expect(rollback.ms).toBeLessThan(fixBudgetMs);
    // And the shop really prices with 1.0 again.
    await vi.waitFor(
      async () => expect(pricedWith((await get(`${sut.urls.apiAdmin}/metrics`)).text, '1.0')).toBeGreaterThan(before),
      { timeout: 10_000, interval: 100 },
    );
  }, 120_000);

  it('a flooded gateway (traffic-spike) takes its rate limit within 2 s, and its reads answer within 1 s', async () => {
    await load?.stop();
    hog ??= startCpuHog({ cores: 1, maxSeconds: 90 });
    load = createLoadGenerator({ baseUrl: sut.urls.gateway });
    load.start({
      phases: [{ pattern: 'constant', durationS: 60, rps: 1000 }],
      journeys: { browse: 40, search: 20, view: 40 },
      timeoutMs: 5000,
    });
    // The flood bites: the users' p95 is far above a healthy page's (or requests are dropped at the in-flight cap).
    await vi.waitFor(
      () => {
        const s = load!.recent(1)[0];
        expect(
          (s?.latencyMs?.p95 ?? 0) > 500 || (s?.outcomes.dropped ?? 0) > 0 || (s?.outcomes.timeout ?? 0) > 0,
          JSON.stringify(s?.outcomes),
        ).toBe(true);
      },
      { timeout: 45_000, interval: 250 },
    );
    const reads: Record<string, number> = {};
    for (const path of ['/config', '/healthz', '/metrics']) {
      const { ms, r } = await timed(() => get(`${sut.urls.gatewayAdmin}${path}`));
      expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(200);
      reads[path] = ms;
    }
    const limited = async () =>
      sampleValue((await get(`${sut.urls.gatewayAdmin}/metrics`)).text, 'gateway_rate_limited_total') ?? 0;
    const before = await limited();
    const fix = await timed(() => patchConfig(sut.urls.gatewayAdmin, { rateLimitRps: 10 }, token));
    console.log(
      `flooded gateway (${load.inFlight} requests in flight): admin reads ${JSON.stringify(reads)} ms; rateLimitRps PATCH ${fix.ms} ms`,
    );
    for (const [path, ms] of Object.entries(reads)) expect(ms, `GET ${path}`).toBeLessThan(readBudgetMs);
    expect(fix.r.status, JSON.stringify(fix.r.json)).toBe(200);
    expect(fix.ms).toBeLessThan(fixBudgetMs);
    // The very next requests are judged by the new limit (10/s, far below what reaches the gateway): 429s are counted.
    await vi.waitFor(async () => expect(await limited()).toBeGreaterThan(before), { timeout: 10_000, interval: 100 });
    expect((await patchConfig(sut.urls.gatewayAdmin, { rateLimitRps: 0 }, token)).status).toBe(200);
  }, 120_000);
});
