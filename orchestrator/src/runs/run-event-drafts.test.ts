import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../protocol/run-events.ts';
import { acknowledgementDraft } from './run-event-drafts.ts';

const alert = (seq: number, at: number, type: 'alert_firing' | 'alert_resolved', alertname: string): RunEvent => ({
  runId: 'r1',
  seq,
  at,
  type,
  message: `${alertname} ${type}`,
  data: { alertname, severity: 'page', labels: {}, annotations: {}, value: 1, evaluatedAt: at },
});

describe('acknowledgementDraft', () => {
  it('counts TTA from the first page still open, not from one that fired and resolved before the incident', () => {
    const events = [
      alert(1, 10_000, 'alert_firing', 'UsersErrorBudgetBurn'), // a slow start, over by the fault
      alert(2, 20_000, 'alert_resolved', 'UsersErrorBudgetBurn'),
      alert(3, 60_000, 'alert_firing', 'UsersLatencyBudgetBurn'),
      alert(4, 65_000, 'alert_firing', 'UsersErrorBudgetBurn'),
    ];
    expect(acknowledgementDraft(events, 70_000).data).toEqual({
      alertnames: ['UsersLatencyBudgetBurn', 'UsersErrorBudgetBurn'],
      ttaSeconds: 10,
    });
  });

  it('acknowledges pages that resolved before the click, and only those since the last acknowledgement', () => {
    const events: RunEvent[] = [
      alert(1, 10_000, 'alert_firing', 'UsersErrorBudgetBurn'),
      {
        runId: 'r1',
        seq: 2,
        at: 12_000,
        type: 'alert_acknowledged',
        message: '',
        data: { alertnames: [], ttaSeconds: 2 },
      },
      alert(3, 30_000, 'alert_firing', 'UsersLatencyBudgetBurn'),
      alert(4, 40_000, 'alert_resolved', 'UsersLatencyBudgetBurn'),
    ];
    expect(acknowledgementDraft(events, 45_000).data).toEqual({
      alertnames: ['UsersLatencyBudgetBurn'],
      ttaSeconds: 15,
    });
    expect(() => acknowledgementDraft(events.slice(0, 2), 45_000)).toThrow(/no page/);
  });
});
