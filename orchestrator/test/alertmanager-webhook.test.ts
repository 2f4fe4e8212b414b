import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type AlertmanagerNotification, createAlertmanagerWebhook } from '../src/api/alertmanager-routes.ts';
import { findAlertmanager, findAmtool } from '../../test-support/peer-tool.ts';
import { freePort } from './support/free-port.ts';

// The stack's Alertmanager configuration, run by a real Alertmanager (Debian's), delivering to the orchestrator's
// real webhook route inside the orchestrator's app shell (its ingest guard and error handling included).
const stackConfig = fileURLToPath(new URL('../../stack/alertmanager/alertmanager.yml', import.meta.url));
const alertmanager = findAlertmanager();
const amtool = findAmtool();

describe.skipIf(!alertmanager || !amtool)('Alertmanager -> the orchestrator webhook (stack mode paging)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'obs-am-'));
  const token = randomBytes(24).toString('hex');
  const received: AlertmanagerNotification[] = [];
  let server: Server;
  let am: ChildProcess;
  let amUrl: string;
  let hookUrl: string;
  let amOutput = '';

  beforeAll(async () => {
    const app = buildApp({
      allowedOrigins: () => new Set(),
      secret: randomBytes(32),
      api: [],
      root: [createAlertmanagerWebhook({ token, onNotification: (n) => void received.push(n) })],
      log: () => {},
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    hookUrl = `http://127.0.0.1:${port}/v1/alertmanager`;
    // The stack's file with only the addresses changed: the orchestrator's URL and the token's path.
    writeFileSync(join(dir, 'token'), `${token}\n`);
    const config = readFileSync(stackConfig, 'utf8')
      .replace('http://orchestrator:4000/v1/alertmanager', hookUrl)
      .replace('/run/secrets/alertmanager_token', join(dir, 'token'));
    expect(config).toContain(hookUrl);
    writeFileSync(join(dir, 'alertmanager.yml'), config);
    const amPort = await freePort();
    amUrl = `http://127.0.0.1:${amPort}`;
    am = spawn(
      alertmanager as string,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=', // no gossip: a single instance
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stdout?.on('data', (b) => (amOutput += b));
    am.stderr?.on('data', (b) => (amOutput += b));
    await vi.waitFor(
      async () => {
        if (am.exitCode !== null) throw new Error(`alertmanager exited ${am.exitCode}:\n${amOutput}`);
        expect((await fetch(`${amUrl}/-/ready`)).ok).toBe(true);
      },
      { timeout: 30_000, interval: 200 },
    );
  });

  afterAll(async () => {
    am?.kill('SIGKILL');
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('the stack configuration passes `amtool check-config`', () => {
    const r = spawnSync(amtool as string, ['check-config', stackConfig], { encoding: 'utf8' });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('1 inhibit rules');
  });

  // What Prometheus sends to Alertmanager (POST /api/v2/alerts): an SLO page and a cause warning of one incident.
  const alert = (alertname: string, labels: Record<string, string>, endsAt?: Date) => ({
    labels: { alertname, ...labels },
    annotations: { summary: `${alertname} summary`, runbook_url: '/lessons/01-welcome/' },
    startsAt: new Date(Date.now() - 10_000).toISOString(),
    ...(endsAt ? { endsAt: endsAt.toISOString() } : {}),
    generatorURL: 'http://prometheus:9090/graph',
  });
  const page = (endsAt?: Date) => alert('UsersLatencyBudgetBurn', { severity: 'page', slo: 'latency' }, endsAt);
  const warning = alert('GatewayUpstreamPoolSaturated', { severity: 'warning', service: 'gateway' });
  const post = (alerts: unknown[]) =>
    fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });

  it('delivers the page at once, keeps the cause warning quiet while the page fires, and delivers the resolution', async () => {
    // The page first, then the warning once the page is out. Posted together, both would be notified at once:
    // an alert that started longer than group_wait ago is flushed immediately (as Prometheus's alerts, which
    // started at their pending time, always are), and the inhibitor may not have seen the page by then.
    expect((await post([page()])).status).toBe(200);
    await vi.waitFor(() => expect(received.length).toBeGreaterThan(0), { timeout: 10_000, interval: 100 });
    expect((await post([page(), warning])).status).toBe(200);
    expect(received[0]).toMatchObject({
      version: '4',
      status: 'firing',
      receiver: 'orchestrator',
      groupLabels: { alertname: 'UsersLatencyBudgetBurn', slo: 'latency' },
      commonLabels: { severity: 'page' },
      commonAnnotations: { summary: 'UsersLatencyBudgetBurn summary' },
    });
    // The warning started 10 s ago, so its group is flushed at once, and the firing page inhibits it: 8 s to be sure.
    await new Promise((r) => setTimeout(r, 8000));
    expect(received.flatMap((n) => n.alerts.map((a) => a.labels.alertname))).not.toContain(
      'GatewayUpstreamPoolSaturated',
    );
    const silenced = (await (
      await fetch(`${amUrl}/api/v2/alerts?filter=alertname="GatewayUpstreamPoolSaturated"`)
    ).json()) as {
      status: { state: string; inhibitedBy: string[] };
    }[];
    expect(silenced[0].status).toMatchObject({ state: 'suppressed' });
    expect(silenced[0].status.inhibitedBy.length).toBe(1);

    // The fix: Prometheus stops sending the page with an end time; Alertmanager notifies the resolution
    // (send_resolved) at the group's next interval (15 s).
    expect((await post([page(new Date())])).status).toBe(200);
    await vi.waitFor(
      () => expect(received.some((n) => n.status === 'resolved' && n.groupLabels.slo === 'latency')).toBe(true),
      { timeout: 25_000, interval: 200 },
    );
  }, 60_000);

  it('refuses a notification without the token, with a wrong token, from a browser, or malformed; records nothing', async () => {
    const before = received.length;
    const body = JSON.stringify({ version: '4', status: 'firing', alerts: [] });
    const send = (headers: Record<string, string>, b = body) =>
      fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: b });
    expect((await send({})).status).toBe(401);
    expect((await send({ authorization: `Bearer ${token}x` })).status).toBe(401);
    expect((await send({ authorization: `Bearer ${token}`, origin: 'http://evil.example' })).status).toBe(403);
    const bad = await send({ authorization: `Bearer ${token}` });
    expect(bad.status).toBe(400);
    const issues = ((await bad.json()) as { error: { issues: { path: string }[] } }).error.issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['groupKey', 'receiver', 'alerts']));
    expect((await send({ authorization: `Bearer ${token}` }, '{"version":')).status).toBe(400);
    expect(received.length).toBe(before);
  });
});
