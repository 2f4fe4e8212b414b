import { describe, expect, it } from 'vitest';
import type { RunEvent, RunView } from './types.ts';
import { firstPage, quietOnCall } from './on-call.ts';

const run = (over: Partial<RunView>) => ({ onCall: true, state: 'injected', ...over }) as RunView;
const event = (type: string, severity?: string, seq = 1) =>
  ({ runId: 'r', seq, at: seq, type, message: '', data: severity ? { severity } : {} }) as RunEvent;

describe('on call', () => {
  it('is quiet while an on-call run is active and nothing paged; a warning does not count as a page', () => {
    expect(quietOnCall(run({}), [])).toBe(true);
    expect(quietOnCall(run({ state: 'baseline' }), [event('fault_applied')])).toBe(true);
    expect(quietOnCall(run({}), [event('alert_firing', 'warning')])).toBe(true);
  });
  it('speaks once the page fired, when the run ended, or when the run is not on call', () => {
    expect(quietOnCall(run({}), [event('alert_firing', 'warning', 1), event('alert_firing', 'page', 2)])).toBe(false);
    expect(quietOnCall(run({ state: 'resolved' }), [])).toBe(false);
    expect(quietOnCall(run({ onCall: false }), [])).toBe(false);
    expect(quietOnCall(null, [])).toBe(false);
    expect(firstPage([event('alert_firing', 'page', 4), event('alert_firing', 'page', 9)])?.seq).toBe(4);
  });
});
