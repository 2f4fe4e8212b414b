import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Platform } from '../src/platform/platform.ts';
import {
  api,
  freshDatabase,
  PlatformSocket,
  openProtocolClient,
  startTestPlatform,
} from './support/platform-harness.ts';

const scenariosDir = fileURLToPath(new URL('./fixtures/scenarios/', import.meta.url));

describe('a run through the real platform, observed over a real WebSocket', () => {
  let platform: Platform;
  let env: Record<string, string>;
  let databaseUrl: string;
  let ws: PlatformSocket;
  let base: string;

  beforeAll(async () => {
    databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'orch_run_lifecycle');
    ({ platform, env } = await startTestPlatform({ databaseUrl, scenariosDir }));
    base = platform.url;
    ws = await openProtocolClient(platform);
  });

  afterAll(async () => {
    ws?.close();
    await platform?.stop();
  });

  it('sends a snapshot first, then only messages the exported schema accepts', async () => {
    const first = await ws.waitFor((m) => m.type === 'snapshot', 5000);
    expect(ws.messages[0]).toBe(first);
    expect(first).toMatchObject({ type: 'snapshot', protocolVersion: 1, run: null });
  });

  it('evaluates the stack-mode alert rules in the hub and serves them at /api/telemetry/alerts', async () => {
    await vi.waitFor(
      async () => {
        const r = await api(base, 'GET', '/api/telemetry/alerts');
        expect(r.status).toBe(200);
        const rules = r.body.data.rules as { name: string; health: string; lastError: string | null }[];
        expect(rules.map((x) => x.name)).toEqual([
          'GatewayUpstreamPoolSaturated',
          'EventLoopLagHigh',
          'WorkerQueueBacklog',
          'DbPoolPending',
          'UsersErrorBudgetBurn',
          'UsersLatencyBudgetBurn',
        ]);
        expect(rules.filter((x) => x.health !== 'ok')).toEqual([]);
      },
      { timeout: 30_000, interval: 500 },
    );
  });

  it('refuses bad input with a reason and changes nothing', async () => {
    const unknown = await api(base, 'POST', '/api/runs', { scenarioId: 'no-such-thing' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('no-such-thing');
    const badBody = await api(base, 'POST', '/api/runs', { scenarioId: 42, extra: true });
    expect(badBody.status).toBe(400);
    expect(badBody.body.error.issues.length).toBeGreaterThan(0);
    const malformed = await api(base, 'POST', '/api/runs', '{"scenarioId":', {});
    expect(malformed.status).toBe(400);
    const badConfig = await api(base, 'PATCH', '/api/services/gateway/config', { upstreamPoolSize: -3 });
    expect(badConfig.status).toBe(400);
    expect(badConfig.body.error.issues[0].path).toBe('upstreamPoolSize');
    const unknownService = await api(base, 'PATCH', '/api/services/database/config', { x: 1 });
    expect(unknownService.status).toBe(400);
    const crossSite = await api(base, 'POST', '/api/reset', {}, { origin: 'http://evil.example' });
    expect(crossSite.status).toBe(403);
    expect((await api(base, 'GET', '/api/runs')).body.runs).toEqual([]);
    expect((await api(base, 'GET', '/api/services/gateway')).body.config.upstreamPoolSize).toBe(64);
  });

  it('goes baseline -> injected, a wrong fix does not resolve, the right fix does', async () => {
    const started = await api(base, 'POST', '/api/runs', { scenarioId: 'shed-everything' });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;
    const second = await api(base, 'POST', '/api/runs', { scenarioId: 'shed-everything' });
    expect(second.status).toBe(409);

    await ws.waitFor((m) => m.type === 'event' && m.event.type === 'baseline_ok', 30_000);
    await ws.waitFor((m) => m.type === 'event' && m.event.type === 'fault_applied', 5_000);
    const breach = await ws.waitFor((m) => m.type === 'event' && m.event.type === 'slo_breached', 15_000);
    expect(breach.type === 'event' && breach.event.message).toMatch(/success/);
    await ws.waitFor((m) => m.type === 'hint' && m.hint.id === 'soon', 10_000);
    await ws.waitFor((m) => m.type === 'stats', 5_000);

    const cp = await api(base, 'POST', `/api/runs/${runId}/checkpoints/where`, { answer: 0 });
    expect(cp.body.correct).toBe(true);

    const wrong = await api(base, 'PATCH', '/api/services/api/config', { workerPoolSize: 12 });
    expect(wrong.status).toBe(200);
    await ws.waitFor((m) => m.type === 'hint' && m.hint.id === 'unrelated', 5_000);
    // Held off means: the judge has seen a full hold window (5 s) of traffic scheduled after the wrong change,
    // plus a second of margin, and the run is still injected. Wait for those seconds' stats, not for a clock.
    const wrongEvent = await ws.waitFor((m) => m.type === 'event' && m.event.type === 'config_changed', 5_000);
    const wrongAt = wrongEvent.type === 'event' ? wrongEvent.event.at : 0;
    await ws.waitFor((m) => m.type === 'stats' && m.stats.t * 1000 >= wrongAt + 7_000, 30_000);
    expect(ws.messages.filter((m) => m.type === 'resolution')).toEqual([]);
    expect((await api(base, 'GET', '/api/runs/active')).body.run.state).toBe('injected');

    const fix = await api(base, 'PATCH', '/api/services/gateway/config', { rateLimitRps: 0 });
    expect(fix.status).toBe(200);
    const resolution = await ws.waitFor((m) => m.type === 'resolution', 20_000);
    expect(resolution).toMatchObject({ type: 'resolution', runId, outcome: 'resolved' });

    const pm = await api(base, 'GET', `/api/runs/${runId}/postmortem`);
    expect(pm.body.outcome).toBe('resolved');
    expect(pm.body.stageTimes.ttl).toBeGreaterThan(0);
    expect(pm.body.stageTimes.ttm).toBeGreaterThan(pm.body.stageTimes.ttl);
    const types = pm.body.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'started',
        'baseline_ok',
        'fault_applied',
        'slo_breached',
        'hint_shown',
        'config_changed',
        'checkpoint_answered',
        'resolved',
      ]),
    );
    expect(ws.invalid).toEqual([]);
  });

  it('survives a killed SUT child and reports it', async () => {
    const pid = platform.supervisor!.pid('api')!;
    process.kill(pid, 'SIGKILL');
    const crashed = await ws.waitFor(
      (m) => m.type === 'service' && m.service.name === 'api' && m.service.state === 'restarting',
      5_000,
    );
    expect(crashed.type === 'service' && crashed.service.lastExit).toContain('SIGKILL');
    await ws.waitFor(
      (m) =>
        m.type === 'service' && m.service.name === 'api' && m.service.state === 'running' && m.service.restarts === 1,
      20_000,
    );
    expect((await api(base, 'GET', '/api/services/api')).body.healthy).toBe(true);
    expect((await fetch(`http://127.0.0.1:${env.OBS_GATEWAY_PORT}/api/products/1`)).status).toBe(200);
  });

  it('keeps the active run across an orchestrator restart', async () => {
    const started = await api(base, 'POST', '/api/runs', { scenarioId: 'shed-everything' });
    const runId = started.body.id as string;
    await ws.waitFor((m) => m.type === 'event' && m.event.runId === runId && m.event.type === 'fault_applied', 30_000);
    ws.close();
    await platform.stop();

    ({ platform } = await startTestPlatform({ databaseUrl, scenariosDir, ports: env, dataDir: env.OBS_DATA_DIR }));
    const active = await api(base, 'GET', '/api/runs/active');
    expect(active.body.run.id).toBe(runId);
    expect(active.body.run.state).toBe('injected');
    expect(active.body.events.map((e: { type: string }) => e.type)).toContain('orchestrator_restarted');
    // The fault is back in force on the restarted SUT.
    expect((await api(base, 'GET', '/api/services/gateway')).body.config.rateLimitRps).toBe(10);
    const stopped = await api(base, 'POST', `/api/runs/${runId}/stop`);
    expect(stopped.body.state).toBe('abandoned');
    await api(base, 'POST', '/api/reset', {});
    expect((await api(base, 'GET', '/api/services/gateway')).body.config.rateLimitRps).toBe(0);
  });
});
