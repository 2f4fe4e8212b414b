import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyRun, isActive, live, mergeRunHistory, reduce } from './live.ts';
import { t0, run, event, hint, stats, service, resolution, snapshot, empty, fold, frozen } from './live-fixtures.ts';
import type { AlertEventView, ServerMessage } from './types.ts';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: t0 });
});

afterEach(() => {
  live.set(live.initial);
  vi.useRealTimers();
});

describe('reduce', () => {
  it('alert: a firing alert joins `firing` (one per label set), resolved or inactive leaves it, pending changes nothing', () => {
    const alert = (state: AlertEventView['state'], seq: number, service = 'gateway'): ServerMessage => ({
      type: 'alert',
      alert: {
        seq,
        alertname: 'Saturated',
        state,
        at: t0 + seq,
        labels: { alertname: 'Saturated', service, severity: 'warning' },
        annotations: {},
        value: 1,
      },
    });
    const base = frozen({ ...empty });
    expect(fold(base, alert('pending', 1)).firing).toEqual([]);
    const two = fold(base, alert('firing', 2), alert('firing', 3, 'api'), alert('firing', 4));
    expect(two.firing.map((a) => [a.labels.service, a.seq])).toEqual([
      ['api', 3],
      ['gateway', 4],
    ]);
    expect(fold(frozen(two), alert('resolved', 5)).firing.map((a) => a.labels.service)).toEqual(['api']);
    expect(fold(frozen(two), alert('inactive', 6, 'inventory'))).toBe(two);
  });

  it('snapshot: takes run, events, hints, services and the newest 900 stats, and measures the clock skew', () => {
    const s = fold(
      frozen({ ...empty, connection: 'open' as const }),
      snapshot({
        serverTime: t0 + 1500,
        run: run('r1'),
        events: [event('r1', 1)],
        hints: [hint('r1', 'h1')],
        stats: Array.from({ length: 1000 }, (_, i) => stats(i)),
        services: [service('api', 'running')],
      }),
    );
    expect(s.connection).toBe('open');
    expect(s.run).toEqual(run('r1'));
    expect(s.events).toEqual([event('r1', 1)]);
    expect(s.hints).toEqual([hint('r1', 'h1')]);
    expect(s.services).toEqual([service('api', 'running')]);
    expect(s.stats.map((x) => x.t)).toEqual(Array.from({ length: 900 }, (_, i) => 100 + i));
    expect(s.clockSkewMs).toBe(1500);
  });

  it('snapshot: replaces what an earlier connection left (reconnect after a restart with no run)', () => {
    const before = fold(
      empty,
      snapshot({
        run: run('r1'),
        events: [event('r1', 1)],
        hints: [hint('r1', 'h1')],
        stats: [stats(1)],
        services: [service('api', 'running')],
      }),
    );
    const after = reduce(frozen(before), snapshot({ serverTime: t0 - 250 }));
    expect([after.run, after.events, after.hints, after.stats, after.services, after.clockSkewMs]).toEqual([
      null,
      [],
      [],
      [],
      [],
      -250,
    ]);
  });

  it('run: an update of the current run keeps its events, hints and resolution', () => {
    const s = frozen(
      fold(
        empty,
        { type: 'run', run: run('r1', 'injected') },
        { type: 'event', event: event('r1', 1) },
        { type: 'hint', hint: hint('r1', 'h1') },
        resolution('r1'),
      ),
    );
    const next = reduce(s, { type: 'run', run: run('r1', 'resolved', { endedAt: t0 + 60_000 }) });
    expect(next.run).toEqual(run('r1', 'resolved', { endedAt: t0 + 60_000 }));
    expect([next.events, next.hints, next.resolution]).toEqual([
      [event('r1', 1)],
      [hint('r1', 'h1')],
      resolution('r1'),
    ]);
  });

  it('run: another run starts afresh, clearing the previous run’s events, hints and resolution', () => {
    const s = frozen(
      fold(
        empty,
        { type: 'run', run: run('r1', 'resolved') },
        { type: 'event', event: event('r1', 1) },
        { type: 'hint', hint: hint('r1', 'h1') },
        resolution('r1'),
      ),
    );
    const next = reduce(s, { type: 'run', run: run('r2', 'pending') });
    expect(next.run).toEqual(run('r2', 'pending'));
    expect([next.events, next.hints, next.resolution]).toEqual([[], [], null]);
  });

  it('event: appends events of the current run in arrival order', () => {
    const s = fold(
      empty,
      { type: 'run', run: run('r1') },
      { type: 'event', event: event('r1', 1) },
      { type: 'event', event: event('r1', 2) },
    );
    expect(s.events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('event: ignores a repeated seq and an event of another (stale) run, returning the same state', () => {
    const s = frozen(fold(empty, { type: 'run', run: run('r2') }, { type: 'event', event: event('r2', 1) }));
    expect(reduce(s, { type: 'event', event: { ...event('r2', 1), message: 'replayed' } })).toBe(s);
    expect(reduce(s, { type: 'event', event: event('r1', 2) })).toBe(s);
  });

  it('event: accepts any run’s event while no run is known', () => {
    expect(reduce(frozen(empty), { type: 'event', event: event('r9', 1) }).events).toEqual([event('r9', 1)]);
  });

  it('hint: appends, and ignores one already shown (same id and run); the same id in another run is a new hint', () => {
    const s = frozen(fold(empty, { type: 'run', run: run('r1') }, { type: 'hint', hint: hint('r1', 'h1') }));
    expect(reduce(s, { type: 'hint', hint: { ...hint('r1', 'h1'), text: 'again' } })).toBe(s);
    expect(reduce(s, { type: 'hint', hint: hint('r1', 'h2') }).hints).toEqual([hint('r1', 'h1'), hint('r1', 'h2')]);
    expect(reduce(s, { type: 'hint', hint: hint('r2', 'h1') }).hints).toEqual([hint('r1', 'h1'), hint('r2', 'h1')]);
  });

  it('stats: appends a second and keeps only the newest 900', () => {
    const s = frozen(fold(empty, snapshot({ stats: Array.from({ length: 900 }, (_, i) => stats(i)) })));
    const next = reduce(s, { type: 'stats', stats: stats(900) });
    expect(next.stats).toHaveLength(900);
    expect([next.stats[0].t, next.stats[899].t]).toEqual([1, 900]);
    expect(reduce(frozen(empty), { type: 'stats', stats: stats(5) }).stats).toEqual([stats(5)]);
  });

  it('resolution: stores the message as the run’s resolution', () => {
    expect(reduce(frozen(empty), resolution('r1')).resolution).toEqual(resolution('r1'));
  });

  it('service: replaces the status of a known service (moving it last) and adds a new one', () => {
    const s = frozen(fold(empty, snapshot({ services: [service('api', 'running'), service('gateway', 'running')] })));
    const next = fold(
      s,
      { type: 'service', service: service('api', 'restarting', 1) },
      { type: 'service', service: service('inventory', 'starting') },
    );
    expect(next.services).toEqual([
      service('gateway', 'running'),
      service('api', 'restarting', 1),
      service('inventory', 'starting'),
    ]);
  });

  it('heartbeat: updates the clock skew only', () => {
    const s = frozen(fold(empty, snapshot({ run: run('r1'), serverTime: t0 + 100 })));
    vi.setSystemTime(t0 + 10_000);
    const next = reduce(s, { type: 'heartbeat', serverTime: t0 + 9_000 });
    expect(next).toEqual({ ...s, clockSkewMs: -1000 });
  });

  it('leaves the state untouched (same object) for log lines, errors and unknown message types', () => {
    const s = frozen(fold(empty, snapshot({ run: run('r1') })));
    expect(reduce(s, { type: 'log', line: { id: 1, service: 'api', time: t0, level: 'info', msg: 'x' } })).toBe(s);
    expect(reduce(s, { type: 'error', message: 'unknown or malformed message' })).toBe(s);
    expect(reduce(s, { type: 'from-a-newer-server', x: 1 } as unknown as ServerMessage)).toBe(s);
  });

  it('follows a whole run as the site shows it: pending, baseline, injected, hints, resolved, then the next run', () => {
    let s = fold({ ...empty }, snapshot({ services: [service('api', 'running')] }));
    expect(isActive(s.run)).toBe(false);
    s = fold(s, { type: 'run', run: run('r1', 'pending') }, { type: 'event', event: event('r1', 1, 'started') });
    expect([s.run?.state, isActive(s.run)]).toEqual(['pending', true]);
    s = fold(s, { type: 'run', run: run('r1', 'baseline') }, { type: 'event', event: event('r1', 2, 'baseline_ok') });
    s = fold(
      s,
      { type: 'run', run: run('r1', 'injected', { injectedAt: t0 + 30_000 }) },
      { type: 'event', event: event('r1', 3, 'fault_applied') },
    );
    s = fold(s, { type: 'hint', hint: hint('r1', 'h1') }, { type: 'event', event: event('r1', 4, 'hint_shown') });
    expect([s.run?.state, isActive(s.run)]).toEqual(['injected', true]);
    s = fold(
      s,
      { type: 'run', run: run('r1', 'resolved', { endedAt: t0 + 90_000, sloMet: true }) },
      { type: 'event', event: event('r1', 5, 'resolved') },
      resolution('r1'),
    );
    expect([s.run?.state, isActive(s.run), s.resolution?.runId]).toEqual(['resolved', false, 'r1']);
    expect(s.events.map((e) => e.type)).toEqual(['started', 'baseline_ok', 'fault_applied', 'hint_shown', 'resolved']);
    expect(s.hints.map((h) => h.id)).toEqual(['h1']);
    s = fold(s, { type: 'event', event: event('r0', 9, 'expired') }); // a late event of an older run
    expect(s.events).toHaveLength(5);
    s = fold(s, { type: 'run', run: run('r2', 'pending') });
    expect([s.run?.id, s.events, s.hints, s.resolution, isActive(s.run)]).toEqual(['r2', [], [], null, true]);
    expect(s.services).toEqual([service('api', 'running')]);
  });
});

describe('isActive', () => {
  it.each([
    ['pending', true],
    ['baseline', true],
    ['injected', true],
    ['resolved', false],
    ['abandoned', false],
    ['expired', false],
    ['aborted', false],
  ] as const)('%s -> %s', (state, active) => {
    expect(isActive(run('r1', state))).toBe(active);
  });

  it('no run -> false', () => {
    expect(isActive(null)).toBe(false);
  });
});

describe('applyRun and mergeRunHistory (REST answers folded into the live store)', () => {
  it('applyRun makes the run current and notifies subscribers', () => {
    const seen: (string | undefined)[] = [];
    const stop = live.subscribe((s) => seen.push(s.run?.state));
    applyRun(run('r1', 'pending'));
    applyRun(run('r1', 'baseline'));
    stop();
    expect(seen).toEqual(['pending', 'baseline']);
    expect(live.get().run).toEqual(run('r1', 'baseline'));
  });

  it('restores events sent before the run was known, without duplicates, in seq order', () => {
    live.update((s) => reduce(s, { type: 'event', event: event('r1', 2) })); // arrives before POST /api/runs answers
    applyRun(run('r1', 'pending'));
    expect(live.get().events).toEqual([]); // the run message starts afresh…
    live.update((s) => reduce(s, { type: 'event', event: event('r1', 3) }));
    mergeRunHistory('r1', [event('r1', 1), event('r1', 2), event('r1', 3)], [hint('r1', 'h1'), hint('r0', 'h0')]);
    expect(live.get().events.map((e) => e.seq)).toEqual([1, 2, 3]); // …and the REST history fills the gap
    expect(live.get().hints).toEqual([hint('r1', 'h1')]);
  });

  it('does not add a hint twice', () => {
    applyRun(run('r1'));
    live.update((s) => reduce(s, { type: 'hint', hint: hint('r1', 'h1') }));
    mergeRunHistory('r1', [], [hint('r1', 'h1'), hint('r1', 'h2')]);
    expect(live.get().hints.map((h) => h.id)).toEqual(['h1', 'h2']);
  });

  it('ignores the history of a run that is not the current one (and leaves the store unchanged)', () => {
    applyRun(run('r2'));
    const before = live.get();
    const listener = vi.fn();
    const stop = live.subscribe(listener);
    mergeRunHistory('r1', [event('r1', 1)], [hint('r1', 'h1')]);
    stop();
    expect(live.get()).toBe(before);
    expect(listener).not.toHaveBeenCalled();
  });
});
