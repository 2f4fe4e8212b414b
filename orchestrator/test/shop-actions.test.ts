import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Platform } from '../src/platform/platform.ts';
import { api, freshDatabase, startTestPlatform } from './support/platform-harness.ts';
import { buildJourneyRequest } from '../src/load/journeys.ts';
import { createRandom } from '../src/load/random.ts';
import type { JourneyName } from '../src/load/plan-schema.ts';

const scenariosDir = fileURLToPath(new URL('./fixtures/scenarios/', import.meta.url));

/**
 * Users on the real gateway while an action runs: `rps` requests a second over every journey (checkouts are
 * POSTs, never retried), each outcome counted. A rollout or a restart is meant to lose none of them. Each user
 * waits up to 20 s: on a machine busy with other work a slow answer is not a lost one; an error or a reset is.
 */
function users(
  gatewayUrl: string,
  journeys: JourneyName[] = ['browse', 'view', 'search', 'browse', 'view', 'recommendations', 'checkout'],
  rps = 50,
) {
  const random = createRandom(7);
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  let n = 0;
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const q = buildJourneyRequest(journeys[n++ % journeys.length], random);
    const p = fetch(`${gatewayUrl}${q.path}`, {
      method: q.method,
      body: q.body,
      headers: q.body ? { 'content-type': 'application/json' } : {},
      signal: AbortSignal.timeout(20_000),
    })
      .then(async (r) => {
        await r.arrayBuffer();
        void count(`${q.journey} ${r.status}`);
      })
      .catch((err: Error) => void count(`${q.journey} ${err.name}`))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 1000 / rps);
  return {
    outcomes,
    async stop() {
      clearInterval(timer);
      await Promise.all(inFlight);
      // Only successes: any other status (or a network error) names its journey.
      return [...outcomes].filter(([k]) => !/ (200|201)$/.test(k));
    },
  };
}

describe('fix actions beyond knobs, on the real platform', () => {
  let platform: Platform;
  let base: string;
  let gateway: string;

  beforeAll(async () => {
    const databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'orch_shop_actions');
    ({ platform } = await startTestPlatform({ databaseUrl, scenariosDir }));
    base = platform.url;
    gateway = `http://127.0.0.1:${platform.ports.gateway}`;
  });
  afterAll(() => platform?.stop());

  it('rolls a release out under load: a new process takes the traffic, the old one drains, no user sees an error', async () => {
    const before = await api(base, 'GET', '/api/services/api/releases');
    expect(before.status).toBe(200);
    expect(before.body.current).toBe('2026.11.3');
    const oldPid = platform.supervisor!.pid('api');
    const load = users(gateway);
    await new Promise((r) => setTimeout(r, 1500));
    const out = await api(base, 'POST', '/api/services/api/release', { version: '2026.12.1' });
    await new Promise((r) => setTimeout(r, 1500));
    const seen = await load.stop();
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body).toMatchObject({ service: 'api', from: '2026.11.3', to: '2026.12.1' });
    expect(seen, 'every request during the rollout succeeded').toEqual([]);
    expect(platform.supervisor!.pid('api')).not.toBe(oldPid);
    expect((await api(base, 'GET', '/api/services/api/releases')).body.current).toBe('2026.12.1');
    // The new code serves: 2026.12.1's catalogue pages carry price badges.
    const page = await (await fetch(`${gateway}/api/products?page=1`)).json();
    expect(page.products[0]).toHaveProperty('badge');
    const changes = (await api(base, 'GET', '/api/changes')).body.changes;
    expect(changes[0]).toMatchObject({ service: 'api', kind: 'deploy', by: 'you' });
    expect(changes[0].summary).toContain('2026.12.1');
  });

  it('restarts a service under load without an error, and refuses what makes no sense', async () => {
    // Back on the default release first: the leaky one would fail requests by itself under this load.
    expect((await api(base, 'POST', '/api/reset', {})).status).toBeLessThan(300);
    // The api, under every journey: its callers (the gateway's pool) lose nothing.
    const oldApi = platform.supervisor!.pid('api');
    let load = users(gateway);
    await new Promise((r) => setTimeout(r, 1000));
    let out = await api(base, 'POST', '/api/services/api/restart', {});
    await new Promise((r) => setTimeout(r, 1000));
    expect(await load.stop(), 'every request during the api restart succeeded').toEqual([]);
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body.pid).not.toBe(oldApi);
    // The inventory, under the journeys that read from it. A checkout's reservation (a POST the api does not
    // resend) can still meet the keep-alive close race when the inventory closes its idle connections: that
    // limit is in docs/api.md ("Fix actions").
    const oldInventory = platform.supervisor!.pid('inventory');
    load = users(gateway, ['view', 'browse', 'view', 'search']);
    await new Promise((r) => setTimeout(r, 1000));
    out = await api(base, 'POST', '/api/services/inventory/restart', {});
    await new Promise((r) => setTimeout(r, 1000));
    expect(await load.stop(), 'every read during the inventory restart succeeded').toEqual([]);
    expect(out.status, JSON.stringify(out.body)).toBe(200);
    expect(out.body.pid).not.toBe(oldInventory);

    const same = await api(base, 'POST', '/api/services/api/release', { version: '2026.11.3' });
    expect(same.status).toBe(409);
    const unknown = await api(base, 'POST', '/api/services/api/release', { version: '9.9.9' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues[0].path).toBe('version');
    const noReleases = await api(base, 'GET', '/api/services/gateway/releases');
    expect(noReleases.status).toBe(404);
    const badService = await api(base, 'POST', '/api/services/database/restart', {});
    expect(badService.status).toBe(400);
    const notRunning = await api(base, 'POST', '/api/jobs/analytics-rollup/stop', {});
    expect(notRunning.status).toBe(409);
  });

  it('a reset rolls every service back to its default release', async () => {
    expect((await api(base, 'POST', '/api/services/api/release', { version: '2026.12.1' })).status).toBe(200);
    expect((await api(base, 'POST', '/api/reset', {})).status).toBeLessThan(300);
    expect((await api(base, 'GET', '/api/services/api/releases')).body.current).toBe('2026.11.3');
  });
});
