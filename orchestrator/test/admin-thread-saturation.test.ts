// Issue 15, item 1: the fix path always works. Under cpu-regression (pricing 1.1 burning the api's main thread,
// the scenario's own load from the real load generator) with one more core kept busy, the api's admin port —
// served by its admin thread — answers reads within 1 s and a rollback within 2 s, and the rollback takes effect.
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
const get = (url: string) => fetch(url, { signal: AbortSignal.timeout(30_000) }).then(async (res) => ({ status: res.status, text: await res.text() }));
const pricedWith = (text: string, version: string) => sampleValue(text, 'pricing_compute_seconds_count', { pricing_version: version }) ?? 0;

describe('admin thread under a saturated api', () => {
  it('reads answer within 1 s and a rollback PATCH answers and takes effect within 2 s', async () => {
    expect((await patchConfig(sut.urls.apiAdmin, { pricingVersion: '1.1' }, token)).status).toBe(200);
    // Bounded twice: stopped in afterAll, and by itself after 90 s.
    hog = startCpuHog({ cores: 1, maxSeconds: 90 });
    load = createLoadGenerator({ baseUrl: sut.urls.gateway });
    load.start({ phases: [{ pattern: 'constant', durationS: 90, rps: 80 }], journeys: { browse: 30, search: 15, view: 35, recommendations: 12, checkout: 8 }, timeoutMs: 5000 });

    // The fault bites: the users' p95 is far above the scenario's 250 ms SLO.
    await vi.waitFor(() => expect(load!.recent(1)[0]?.latencyMs?.p95 ?? 0).toBeGreaterThan(500), { timeout: 45_000, interval: 250 });

    // The old path, for the record: the same write through the main thread's compatibility route queues behind the shop's traffic.
    const viaMain = await timed(() => patchConfig(sut.urls.api, { inventoryTimeoutMs: 2100 }, token));
    const reads: Record<string, number> = {};
    for (const path of ['/config', '/healthz', '/metrics']) {
      const { ms, r } = await timed(() => get(`${sut.urls.apiAdmin}${path}`));
      expect(r.status, `${path}: ${r.text.slice(0, 300)}`).toBe(200);
      reads[path] = ms;
    }
    const before = pricedWith((await get(`${sut.urls.apiAdmin}/metrics`)).text, '1.0');
    const stillBiting = Math.max(...load.recent(5).map((s) => s.latencyMs?.p95 ?? 0));

    const rollback = await timed(() => patchConfig(sut.urls.apiAdmin, { pricingVersion: '1.0' }, token));
    console.log(`saturated api (users' p95 up to ${Math.round(stillBiting)} ms in the last 5 s, ${load.inFlight} requests in flight): admin reads ${JSON.stringify(reads)} ms; rollback PATCH ${rollback.ms} ms on the admin thread; the same kind of PATCH through the main thread's route ${viaMain.ms} ms (status ${viaMain.r.status})`);
    for (const [path, ms] of Object.entries(reads)) expect(ms, `GET ${path}`).toBeLessThan(readBudgetMs);
    // 200, not 202: the main thread adopted it (its next config.get() returned 1.0) before the answer.
    expect(rollback.r.status, JSON.stringify(rollback.r.json)).toBe(200);
    expect(rollback.r.json.changes).toEqual([{ key: 'pricingVersion', from: '1.1', to: '1.0' }]);
    expect(rollback.ms).toBeLessThan(fixBudgetMs);
    // And the shop really prices with 1.0 again.
    await vi.waitFor(async () => expect(pricedWith((await get(`${sut.urls.apiAdmin}/metrics`)).text, '1.0')).toBeGreaterThan(before), { timeout: 10_000, interval: 100 });
  }, 120_000);
});
