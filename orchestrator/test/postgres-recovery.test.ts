import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Platform } from '../src/platform/platform.ts';
import { api, PlatformSocket, openProtocolClient, startTestPlatform } from './support/platform-harness.ts';

const scenariosDir = fileURLToPath(new URL('./fixtures/scenarios/', import.meta.url));

/**
 * The platform's own database dies mid-run: `kill -9` of the embedded PostgreSQL's postmaster while an incident
 * is injected. The platform must notice (health "degraded", a `postgres` service status), start PostgreSQL
 * again on the same data folder (crash recovery from the WAL), keep the run with its timeline, and still judge
 * the learner's fix. This platform boots its own embedded PostgreSQL (no DATABASE_URL), as `npm start` does.
 */
describe('the embedded PostgreSQL killed mid-run', () => {
  let platform: Platform;
  let env: Record<string, string>;
  let ws: PlatformSocket;
  let base: string;

  beforeAll(async () => {
    ({ platform, env } = await startTestPlatform({ scenariosDir }));
    base = platform.url;
    ws = await openProtocolClient(platform);
  });

  afterAll(async () => {
    ws?.close();
    await platform?.stop();
    if (env?.OBS_DATA_DIR) await rm(env.OBS_DATA_DIR, { recursive: true, force: true });
  });

  it('comes back by itself, reports it, and keeps the run', async () => {
    expect((await api(base, 'GET', '/api/health')).body).toMatchObject({
      status: 'ok',
      services: expect.arrayContaining([expect.objectContaining({ name: 'postgres', state: 'running' })]),
    });
    const started = await api(base, 'POST', '/api/runs', { scenarioId: 'shed-everything' });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;
    await ws.waitFor((m) => m.type === 'event' && m.event.runId === runId && m.event.type === 'fault_applied', 40_000);

    const pid = platform.postgres!.pid()!;
    expect(pid).toBeGreaterThan(0);
    // Health is sampled from the kill until PostgreSQL is back: it must say "degraded" in between.
    const healthSeen = new Set<string>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        healthSeen.add((await api(base, 'GET', '/api/health')).body.status);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    const step = (what: string) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);

    const down = await ws.waitFor(
      (m) => m.type === 'service' && m.service.name === 'postgres' && m.service.state === 'restarting',
      10_000,
    );
    expect(down.type === 'service' && down.service.lastExit).toBe('signal SIGKILL');
    const back = await ws.waitFor(
      (m) =>
        m.type === 'service' &&
        m.service.name === 'postgres' &&
        m.service.state === 'running' &&
        m.service.restarts === 1,
      60_000,
    );
    step('PostgreSQL running again');
    sampling = false;
    await sampler;
    expect([...healthSeen]).toContain('degraded');
    expect(back.type === 'service' && back.service.pid).not.toBe(pid);

    // The shop's database-backed routes serve again once its services have reconnected (a service may have
    // restarted meanwhile). Asked of the api itself: the gateway's injected rate limit still refuses most users.
    await vi.waitFor(
      async () => expect((await fetch(`http://127.0.0.1:${env.OBS_API_PORT}/api/products/1`)).status).toBe(200),
      { timeout: 60_000, interval: 500 },
    );
    step('the shop serves again');
    await vi.waitFor(async () => expect((await api(base, 'GET', '/api/health')).body.status).toBe('ok'), {
      timeout: 60_000,
      interval: 500,
    });
    step('health ok');

    // The run survived the crash.
    const active = await api(base, 'GET', '/api/runs/active');
    expect(active.body.run).toMatchObject({ id: runId, state: 'injected' });

    // And the run still judges the learner's fix on live traffic.
    expect((await api(base, 'PATCH', '/api/services/gateway/config', { rateLimitRps: 0 })).status).toBe(200);
    const resolution = await ws.waitFor((m) => m.type === 'resolution' && m.runId === runId, 40_000);
    expect(resolution).toMatchObject({ outcome: 'resolved' });

    // Its stored timeline (read from the database now that the run has ended) holds the crash and the recovery:
    // the crash's entry could only be written once the database was back.
    const stored = (await api(base, 'GET', `/api/runs/${runId}`)).body.events as {
      type: string;
      data: { service?: string };
    }[];
    expect(stored.filter((e) => e.data.service === 'postgres').map((e) => e.type)).toEqual([
      'service_crashed',
      'service_restarted',
    ]);
    expect(stored.map((e) => e.type)).toEqual(expect.arrayContaining(['fault_applied', 'config_changed', 'resolved']));
  }, 240_000);
});
