import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertEventView } from '../protocol/ws-messages.ts';
import { T0, engineHarness, injectedRun } from './run-engine-fakes.ts';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0);
});
afterEach(() => {
  vi.useRealTimers();
});

const alert = (state: AlertEventView['state'], seq: number): AlertEventView => ({
  seq, alertname: 'UsersErrorBudgetBurn', state, at: T0 + seq * 5000, value: 0.33,
  labels: { alertname: 'UsersErrorBudgetBurn', severity: 'page', slo: 'success' },
  annotations: { summary: 'Users\' requests are failing', runbook_url: '/lessons/01-welcome/#what-users-experience' },
});

describe('RunEngine alert events', () => {
  it('records firing and resolved alerts on the active run\'s timeline, not pending or inactive ones', async () => {
    const r = await injectedRun();
    const before = r.store.eventTypes(r.id).length;
    for (const [i, s] of (['pending', 'firing', 'resolved', 'pending', 'inactive'] as const).entries()) await r.engine.alertEvent(alert(s, i + 1));
    expect(r.store.eventTypes(r.id).slice(before)).toEqual(['alert_firing', 'alert_resolved']);
    const firing = r.emitted.flatMap((m) => (m.type === 'event' && m.event.type === 'alert_firing' ? [m.event] : []));
    expect(firing).toMatchObject([{
      runId: r.id, message: 'UsersErrorBudgetBurn (page) firing: Users\' requests are failing',
      data: { alertname: 'UsersErrorBudgetBurn', severity: 'page', value: 0.33, evaluatedAt: T0 + 10_000, annotations: { runbook_url: '/lessons/01-welcome/#what-users-experience' } },
    }]);
  });

  it('without an active run, an alert changes nothing', async () => {
    const h = engineHarness();
    await h.engine.alertEvent(alert('firing', 1));
    expect(h.emitted).toEqual([]);
    expect(h.store.runs.size).toBe(0);
  });
});
