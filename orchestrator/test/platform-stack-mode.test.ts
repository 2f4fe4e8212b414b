import { createServer, type Server } from 'node:http';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOrchestratorEnv } from '../src/config.ts';
import { startPlatform, type Platform } from '../src/platform/platform.ts';
import { freshDatabase, sessionToken } from './support/platform-harness.ts';
import { freePort } from './support/free-port.ts';

const scenariosDir = fileURLToPath(new URL('./fixtures/scenarios/', import.meta.url));
type Health = { mode: string; ready: boolean; services: { name: string; state: string; lastExit: string | null }[] };

// OBS_MODE=stack with one service missing, one unreachable and one healthy: the orchestrator starts anyway,
// spawns nothing, reports each service, and refuses runs with 503 + Retry-After until all answer.
describe('stack mode with services down', () => {
  let platform: Platform;
  let base: string;
  let fakeGateway: Server;
  let apiPort: number;

  beforeAll(async () => {
    const databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'orch_stack_mode');
    const dir = await mkdtemp(join(tmpdir(), 'observastack-stack-'));
    await writeFile(join(dir, 'jwt'), randomBytes(32).toString('base64url'));
    // A stand-in gateway admin listener that answers its health check (the real services are covered by test:stack).
    fakeGateway = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end()).listen(
      0,
      '127.0.0.1',
    );
    await new Promise((r) => fakeGateway.once('listening', r));
    apiPort = await freePort();
    platform = await startPlatform(
      loadOrchestratorEnv({
        OBS_MODE: 'stack',
        OBS_PORT: String(await freePort()),
        DATABASE_URL: databaseUrl,
        OBS_JWT_SECRET_FILE: join(dir, 'jwt'),
        OBS_DATA_DIR: join(dir, 'never-written'),
        OBS_GATEWAY_URL: 'http://127.0.0.1:9',
        OBS_GATEWAY_ADMIN_URL: `http://127.0.0.1:${(fakeGateway.address() as { port: number }).port}`,
        OBS_API_URL: `http://127.0.0.1:${apiPort}`,
        OBS_SCENARIOS_DIR: scenariosDir,
        OBS_SITE_DIR: join(dir, 'no-site'),
      }),
      () => {},
    );
    base = `http://127.0.0.1:${platform.port}`;
  }, 60_000);

  afterAll(async () => {
    await platform?.stop();
    fakeGateway?.close();
  });

  it('starts without child processes and reports each service', async () => {
    expect(platform.supervisor).toBeNull();
    const health = (await (await fetch(`${base}/api/health`)).json()) as Health;
    expect(health.mode).toBe('stack');
    expect(health.ready).toBe(false);
    const by = Object.fromEntries(health.services.map((s) => [s.name, s]));
    expect(by.gateway.state).toBe('running');
    expect(by.inventory).toMatchObject({ state: 'failed', lastExit: 'OBS_INVENTORY_URL is not set' });
    expect(by.api.state).toBe('starting');
    expect(by.api.lastExit).toContain(`127.0.0.1:${apiPort}/healthz unreachable`);
  });

  it('refuses a run with 503, Retry-After and what it waits for; nothing starts', async () => {
    const token = await sessionToken(base);
    const res = await fetch(`${base}/api/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scenarioId: platform.scenarios()[0].id }),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as { error: { message: string } } & { message?: string };
    expect(JSON.stringify(body)).toMatch(/not ready: waiting for inventory \(OBS_INVENTORY_URL is not set\), api/);
    expect(platform.engine.activeView()).toBeNull();
  });

  it('lets a scraper read health under any Host, not the control API', async () => {
    const { request } = await import('node:http');
    const get = (path: string) =>
      new Promise<number>((ok, ko) =>
        request({ host: '127.0.0.1', port: platform.port, path, headers: { host: 'orchestrator:4000' } }, (r) => {
          r.resume();
          ok(r.statusCode!);
        })
          .on('error', ko)
          .end(),
      );
    expect(await get('/api/health')).toBe(200);
    expect(await get('/api/telemetry/loadgen/metrics')).toBe(200);
    expect(await get('/api/runs')).toBe(403);
  });
});
