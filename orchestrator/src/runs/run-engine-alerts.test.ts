import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertEventView } from '../protocol/ws-messages.ts';
import { T0, engineHarness, injectedRun, seconds } from './run-engine-fakes.ts';
import { buildPostmortem } from './postmortem.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const alert = (
  state: AlertEventView['state'],
  seq: number,
  alertname = 'UsersErrorBudgetBurn',
  severity = 'page',
): AlertEventView => ({
  seq,
  alertname,
  state,
  at: T0 + seq * 5000,
  value: 0.33,
  labels: { alertname, severity, slo: 'success' },
  annotations: { summary: "Users' requests are failing", runbook_url: '/lessons/01-welcome/#what-users-experience' },
});

describe('RunEngine alert events', () => {
  it("records pending, firing and resolved alerts on the active run's timeline, not inactive ones", async () => {
    const r = await injectedRun();
    const before = r.store.eventTypes(r.id).length;
    for (const [i, s] of (['pending', 'firing', 'resolved', 'pending', 'inactive'] as const).entries())
      await r.engine.alertEvent(alert(s, i + 1));
    expect(r.store.eventTypes(r.id).slice(before)).toEqual([
      'alert_pending',
      'alert_firing',
      'alert_resolved',
      'alert_pending',
    ]);
    const firing = r.emitted.flatMap((m) => (m.type === 'event' && m.event.type === 'alert_firing' ? [m.event] : []));
    expect(firing).toMatchObject([
      {
        runId: r.id,
        message: "UsersErrorBudgetBurn (page) firing: Users' requests are failing",
        data: {
          alertname: 'UsersErrorBudgetBurn',
          severity: 'page',
          value: 0.33,
          evaluatedAt: T0 + 10_000,
          annotations: { runbook_url: '/lessons/01-welcome/#what-users-experience' },
        },
      },
    ]);
  });

  it('without an active run, an alert changes nothing', async () => {
    const h = engineHarness();
    await h.engine.alertEvent(alert('firing', 1));
    expect(h.emitted).toEqual([]);
    expect(h.store.runs.size).toBe(0);
  });

  it('acknowledging the page records the time to acknowledge from the first page; the postmortem reports it', async () => {
    const r = await injectedRun();
    await expect(r.engine.acknowledgePage(r.id)).rejects.toMatchObject({ code: 'no_page' });
    await r.engine.alertEvent(alert('firing', 1, 'GatewayUpstreamPoolSaturated', 'warning'));
    await expect(r.engine.acknowledgePage(r.id), 'a warning does not page').rejects.toMatchObject({ code: 'no_page' });
    await r.engine.alertEvent(alert('firing', 2));
    await seconds(4);
    await r.engine.alertEvent(alert('firing', 3, 'UsersLatencyBudgetBurn'));
    await seconds(3);
    expect(await r.engine.acknowledgePage(r.id)).toEqual({
      alertnames: ['UsersErrorBudgetBurn', 'UsersLatencyBudgetBurn'],
      ttaSeconds: 7,
    });
    await expect(r.engine.acknowledgePage(r.id), 'already acknowledged').rejects.toMatchObject({ code: 'no_page' });
    await expect(r.engine.acknowledgePage('other-run')).rejects.toMatchObject({ code: 'run_not_active' });
    const events = r.store.stored.filter((e) => e.runId === r.id);
    expect(events.at(-1)).toMatchObject({
      type: 'alert_acknowledged',
      message: 'page acknowledged after 7 s: UsersErrorBudgetBurn, UsersLatencyBudgetBurn',
    });
    expect(buildPostmortem(r.store.runs.get(r.id)!, r.scenario, events).stageTimes.tta).toBe(7);
    expect(buildPostmortem(r.store.runs.get(r.id)!, r.scenario, events.slice(0, -1)).stageTimes.tta).toBeNull();
  });

  it("records Alertmanager's notifications (stack mode) on the active run, and nothing without one", async () => {
    const notification = {
      version: '4' as const,
      groupKey: '{}:{alertname="UsersLatencyBudgetBurn", slo="latency"}',
      status: 'firing' as const,
      receiver: 'orchestrator',
      groupLabels: { alertname: 'UsersLatencyBudgetBurn', slo: 'latency' },
      commonLabels: { alertname: 'UsersLatencyBudgetBurn', severity: 'page', slo: 'latency' },
      commonAnnotations: { summary: 'Users are slow' },
      alerts: [
        {
          status: 'firing' as const,
          labels: { alertname: 'UsersLatencyBudgetBurn', severity: 'page' },
          annotations: {},
          startsAt: new Date(T0).toISOString(),
        },
      ],
    };
    const idle = engineHarness();
    await idle.engine.alertNotified(notification);
    expect(idle.emitted).toEqual([]);
    const r = await injectedRun();
    await r.engine.alertNotified(notification);
    const events = r.store.stored.filter((e) => e.runId === r.id);
    expect(events.at(-1)).toMatchObject({
      type: 'alert_notified',
      message: 'Alertmanager notified orchestrator: UsersLatencyBudgetBurn (page) firing',
      data: { alertnames: ['UsersLatencyBudgetBurn'], severity: 'page', status: 'firing', alerts: 1 },
    });
  });
});
