import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { Platform } from '../src/platform/platform.ts';
import type { ServerMessage } from '../src/protocol/ws-messages.ts';
import {
  api,
  freshDatabase,
  PlatformSocket,
  openProtocolClient,
  startTestPlatform,
} from './support/platform-harness.ts';

// The library's own scenario, as a learner runs it: the SLO page must come from the alert rules evaluated on the
// live telemetry (not from the run's own SLO judge), early enough to be useful, and go away after the fix.
const scenariosDir = fileURLToPath(new URL('../../scenarios/', import.meta.url));
type Alert = Extract<ServerMessage, { type: 'alert' }>['alert'];

describe('on call: a gateway-pool-lowered run pages the learner from the alert rules', () => {
  let platform: Platform;
  let ws: PlatformSocket;
  let base: string;
  let dir: string;
  const token = randomBytes(24).toString('hex');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obs-oncall-'));
    await writeFile(join(dir, 'alertmanager-token'), token);
    const databaseUrl = await freshDatabase(inject('pgAdminUrl'), 'orch_on_call_page');
    ({ platform } = await startTestPlatform({
      databaseUrl,
      scenariosDir,
      env: { OBS_ALERTMANAGER_TOKEN_FILE: join(dir, 'alertmanager-token') },
    }));
    base = platform.url;
    ws = await openProtocolClient(platform);
  });

  afterAll(async () => {
    ws?.close();
    await platform?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pages = (state: Alert['state']) =>
    ws.messages.flatMap((m) =>
      m.type === 'alert' && m.alert.state === state && m.alert.labels.severity === 'page' ? [m.alert] : [],
    );
  /** Pages that fired and have not resolved since. */
  const stillFiring = () =>
    pages('firing').filter((f) => !pages('resolved').some((r) => r.alertname === f.alertname && r.seq > f.seq));

  it('the SLO page fires within 60 s of the fault, the acknowledgement records TTA, the fix resolves the page', async () => {
    const started = await api(base, 'POST', '/api/runs', { scenarioId: 'gateway-pool-lowered' });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;
    const fault = await ws.waitFor((m) => m.type === 'event' && m.event.type === 'fault_applied', 90_000);
    const faultAt = fault.type === 'event' ? fault.event.at : 0;
    // The baseline held for its window before the fault, so no page is open when it goes in. (On a busy machine
    // the users may really have suffered during the platform's slow start, and a page fired and resolved then.)
    const early = pages('firing').map((a) => `${a.alertname} at ${((a.at - faultAt) / 1000).toFixed(0)} s`);
    if (early.length) console.log(`on-call: paged before the fault (a slow start): ${early.join(', ')}`);
    expect(
      stillFiring().map((a) => a.alertname),
      'no page open when the fault goes in',
    ).toEqual([]);

    const paged = await ws.waitFor(
      (m) =>
        m.type === 'event' &&
        m.event.type === 'alert_firing' &&
        m.event.data.severity === 'page' &&
        m.event.at >= faultAt,
      75_000,
    );
    if (paged.type !== 'event' || paged.event.type !== 'alert_firing')
      throw new Error('waitFor returned another message');
    const page = paged.event;
    const delay = (page.at - faultAt) / 1000;
    console.log(`on-call: ${page.message} ${delay.toFixed(1)} s after the fault`);
    expect(delay).toBeLessThanOrEqual(60);
    // A gateway queue makes users slow, and the requests that wait past the gateway's timeout fail: one of the
    // two SLO pages (whichever budget burns first), with its runbook.
    expect(page.data).toMatchObject({ severity: 'page' });
    expect(['UsersErrorBudgetBurn', 'UsersLatencyBudgetBurn']).toContain(page.data.alertname);
    expect(String(page.data.annotations.runbook_url)).toMatch(/^\/lessons\//);

    const ack = await api(base, 'POST', `/api/runs/${runId}/page/ack`, {});
    expect(ack.status).toBe(200);
    expect(ack.body.alertnames).toContain(page.data.alertname);
    expect(ack.body.ttaSeconds).toBeGreaterThanOrEqual(0);
    expect(ack.body.ttaSeconds).toBeLessThan(30);
    const acked = await ws.waitFor((m) => m.type === 'event' && m.event.type === 'alert_acknowledged', 5_000);
    expect(acked.type === 'event' && acked.event.type === 'alert_acknowledged' && acked.event.data.ttaSeconds).toBe(
      ack.body.ttaSeconds,
    );

    // Stack mode's Alertmanager delivers its notification of the same page to the platform's webhook.
    const notify = await fetch(`${base}/v1/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        version: '4',
        groupKey: '{}/{severity="page"}:{alertname="UsersLatencyBudgetBurn", slo="latency"}',
        status: 'firing',
        receiver: 'orchestrator',
        groupLabels: { alertname: 'UsersLatencyBudgetBurn', slo: 'latency' },
        commonLabels: { alertname: 'UsersLatencyBudgetBurn', severity: 'page', slo: 'latency' },
        commonAnnotations: { summary: 'slow' },
        externalURL: 'http://alertmanager:9093',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'UsersLatencyBudgetBurn', severity: 'page', slo: 'latency' },
            annotations: { summary: 'slow' },
            startsAt: new Date(page.at).toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://prometheus:9090/graph',
            fingerprint: 'e2a5b3c1d4f60718',
          },
        ],
      }),
    });
    expect(notify.status).toBe(204);
    await ws.waitFor((m) => m.type === 'event' && m.event.type === 'alert_notified', 5_000);

    const fix = await api(base, 'PATCH', '/api/services/gateway/config', { upstreamPoolSize: 64 });
    expect(fix.status).toBe(200);
    const fixedAt = Date.now();
    // Every page that fired resolves (both SLO pages may have fired, and resolve in either order).
    await vi.waitFor(() => expect(stillFiring().map((a) => a.alertname)).toEqual([]), {
      timeout: 90_000,
      interval: 250,
    });
    const resolved = pages('resolved').find((a) => a.alertname === page.data.alertname && a.at >= page.at);
    expect(resolved, `${page.data.alertname} resolved`).toBeDefined();
    console.log(
      `on-call: the first page resolved ${(((resolved?.at ?? NaN) - fixedAt) / 1000).toFixed(1)} s after the fix`,
    );

    const pm = await api(base, 'GET', `/api/runs/${runId}/postmortem`);
    expect(pm.body.stageTimes.tta).toBe(ack.body.ttaSeconds);
    const types = pm.body.timeline.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['fault_applied', 'alert_firing', 'alert_acknowledged', 'alert_notified']),
    );
    expect(ws.invalid).toEqual([]);
  }, 240_000);
});
