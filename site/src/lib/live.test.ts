import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyRun, isActive, live, mergeRunHistory, reduce, type LiveState } from './live.ts';
import type {
  AlertEventView,
  HintView,
  Resolution,
  RunEvent,
  RunView,
  SecondStatsView,
  ServerMessage,
  ServiceStatus,
} from './types.ts';

const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);

const run = (id: string, state: RunView['state'] = 'injected', more: Partial<RunView> = {}): RunView => ({
  id,
  scenarioId: 'slow-db',
  title: 'Slow database',
  surprise: false,
  onCall: false,
  seed: 1,
  state,
  reason: null,
  startedAt: t0,
  injectedAt: null,
  breachedAt: null,
  endedAt: null,
  learnerChanges: 0,
  sloMet: null,
  stageTimes: { detect: null, localize: null, diagnose: null, fix: null },
  slo: {
    successPct: 99,
    latencyPercentile: 95,
    latencyThresholdMs: 300,
    windowSeconds: 30,
    holdSeconds: 60,
    rateLimitedCountsAsSuccess: false,
  },
  ...more,
  load: more.load ?? null,
});
// The fold reads an event's run, sequence and type, never its data: an empty one stands in for every type's.
const event = (runId: string, seq: number, type: RunEvent['type'] = 'config_changed'): RunEvent =>
  ({ runId, seq, at: t0 + seq, type, message: `${type} ${seq}`, data: {} }) as RunEvent;
const hint = (runId: string, id: string): HintView => ({ id, runId, at: t0, text: `hint ${id}`, trigger: 'after 60s' });
const stats = (t: number): SecondStatsView => ({
  t,
  offered: 10,
  sent: 10,
  completed: 10,
  outcomes: { ok: 10, client: 0, rate_limited: 0, server: 0, timeout: 0, connection: 0, dropped: 0 },
  successPct: 100,
  latencyMs: { p50: 5, p95: 9, p99: 12, max: 20 },
  journeys: {},
  ordersCreated: 1,
  inFlight: 0,
});
const service = (name: string, state: ServiceStatus['state'], restarts = 0): ServiceStatus => ({
  name,
  state,
  pid: 100,
  restarts,
  lastExit: null,
});
const resolution = (runId: string): Resolution => ({
  type: 'resolution',
  runId,
  outcome: 'resolved',
  scenarioId: 'slow-db',
  title: 'Slow database',
  explanation: 'the pool was too small',
  stageTimes: { detect: 10, localize: 20, diagnose: 30, fix: 40 },
});
const snapshot = (o: Partial<Extract<ServerMessage, { type: 'snapshot' }>> = {}): ServerMessage => ({
  type: 'snapshot',
  protocolVersion: 1,
  serverTime: t0,
  run: null,
  events: [],
  hints: [],
  stats: [],
  services: [],
  ...o,
});

const empty: LiveState = {
  connection: 'open',
  refusal: null,
  run: null,
  events: [],
  hints: [],
  stats: [],
  services: [],
  resolution: null,
  firing: [],
  clockSkewMs: 0,
};
/** Folds messages from `from`, the way the page does one WebSocket message at a time. */
const fold = (from: LiveState, ...msgs: ServerMessage[]) => msgs.reduce(reduce, from);

/** Deep-freezes a state so that any mutation by the reducer throws instead of passing silently. */
function frozen<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
}

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

// --- The WebSocket plumbing: a scripted socket and session endpoint stand in for the browser's and the server's. ---

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static created: FakeSocket[] = [];
  static onCreate: ((s: FakeSocket) => void) | null = null;

  readyState = FakeSocket.CONNECTING;
  readonly sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  readonly url: string;
  readonly protocols: string[];

  constructor(url: string, protocols: string[]) {
    this.url = url;
    this.protocols = protocols;
    FakeSocket.created.push(this);
    FakeSocket.onCreate?.(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  serverOpens(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }

  serverSends(m: ServerMessage | string): void {
    this.onmessage?.({ data: typeof m === 'string' ? m : JSON.stringify(m) });
  }

  /** The connection ends (refused upgrade when it never opened, dropped otherwise). */
  serverCloses(): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.();
  }
}

/** Resolves with the next socket the page opens. */
function nextSocket(): Promise<FakeSocket> {
  return new Promise(
    (resolve) =>
      (FakeSocket.onCreate = (s) => {
        FakeSocket.onCreate = null;
        resolve(s);
      }),
  );
}

/** Resolves once `live` has changed to a state satisfying `ok` (an explicit store event, no polling). */
function liveUntil(mod: typeof import('./live.ts'), ok: (s: LiveState) => boolean): Promise<LiveState> {
  if (ok(mod.live.get())) return Promise.resolve(mod.live.get());
  return new Promise((resolve) => {
    const stop = mod.live.subscribe((s) => {
      if (!ok(s)) return;
      stop();
      resolve(s);
    });
  });
}

describe('connectLive (the page’s WebSocket)', () => {
  let mod: typeof import('./live.ts');
  let sessions: { status: number; token: string }[];
  let fetches: string[];

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: t0 });
    vi.stubEnv('PUBLIC_ORCHESTRATOR_URL', 'http://platform.test:4000/');
    FakeSocket.created = [];
    FakeSocket.onCreate = null;
    vi.stubGlobal('WebSocket', FakeSocket);
    sessions = [];
    fetches = [];
    let n = 0;
    vi.stubGlobal('fetch', async (url: string, init: { method?: string }) => {
      fetches.push(`${init.method} ${url}`);
      const next = sessions.shift() ?? { status: 200, token: `tok${++n}` };
      return next.status === 200
        ? new Response(JSON.stringify({ token: next.token, expiresInSeconds: 3600 }), { status: 200 })
        : new Response(JSON.stringify({ error: { message: 'not on this machine' } }), { status: next.status });
    });
    // live.ts keeps one connection per page in module state: each test gets a fresh page.
    vi.resetModules();
    mod = await import('./live.ts');
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.unstubAllEnvs();
  });

  it('opens one socket per page with a session token in the bearer subprotocol, and goes connecting -> open', async () => {
    const created = nextSocket();
    mod.connectLive();
    mod.connectLive();
    const ws = await created;
    expect(fetches).toEqual(['POST http://platform.test:4000/api/session']);
    expect([ws.url, ws.protocols]).toEqual(['ws://platform.test:4000/ws', ['observastack', 'bearer.tok1']]);
    expect(mod.live.get().connection).toBe('connecting');
    ws.serverOpens();
    expect(mod.live.get().connection).toBe('open');
    expect(FakeSocket.created).toHaveLength(1);
  });

  it('folds server messages into the state, skips frames that are not JSON, and routes log lines to the tail only', async () => {
    const created = nextSocket();
    const lines: unknown[] = [];
    const stopTail = mod.tailLogs({ service: 'api' }, (l) => lines.push(l));
    const ws = await created;
    ws.serverOpens();
    ws.serverSends(snapshot({ run: run('r1'), serverTime: t0 + 200 }));
    ws.serverSends({ type: 'event', event: event('r1', 1) });
    const before = mod.live.get();
    ws.serverSends('{not json');
    ws.serverSends({ type: 'log', line: { id: 7, service: 'api', time: t0, level: 'warn', msg: 'slow' } });
    expect(mod.live.get()).toBe(before);
    expect([before.run?.id, before.events, before.clockSkewMs]).toEqual(['r1', [event('r1', 1)], 200]);
    expect(lines).toEqual([{ id: 7, service: 'api', time: t0, level: 'warn', msg: 'slow' }]);
    stopTail();
  });

  it('sends the log filter when open, again after a reconnect, and unsubscribes when the last tail stops', async () => {
    let created = nextSocket();
    const stopA = mod.tailLogs({ service: 'api', level: 'warn' }, () => {});
    const ws1 = await created;
    expect(ws1.sent).toEqual([]); // not open yet: nothing can be sent
    ws1.serverOpens();
    expect(ws1.sent).toEqual([{ type: 'subscribe-logs', service: 'api', level: 'warn' }]);

    created = nextSocket();
    ws1.serverCloses();
    vi.advanceTimersByTime(500);
    const ws2 = await created;
    ws2.serverOpens();
    expect(ws2.sent).toEqual([{ type: 'subscribe-logs', service: 'api', level: 'warn' }]);

    const stopB = mod.tailLogs({ text: 'timeout' }, () => {});
    stopA();
    expect(ws2.sent.slice(1)).toEqual([{ type: 'subscribe-logs', text: 'timeout' }]); // one tail left: still subscribed
    stopB();
    expect(ws2.sent.slice(2)).toEqual([{ type: 'unsubscribe-logs' }]);
  });

  it('on a drop after opening: down, then reconnects after 500 ms with the cached token', async () => {
    let created = nextSocket();
    mod.connectLive();
    const ws1 = await created;
    ws1.serverOpens();
    ws1.serverCloses();
    expect(mod.live.get().connection).toBe('down');
    created = nextSocket();
    vi.advanceTimersByTime(499);
    expect(vi.getTimerCount(), 'reconnected before 500 ms').toBe(1);
    vi.advanceTimersByTime(1);
    const ws2 = await created;
    expect(ws2.protocols).toEqual(['observastack', 'bearer.tok1']);
    expect(fetches).toHaveLength(1);
    ws2.serverOpens();
    expect(mod.live.get().connection).toBe('open');
  });

  it('when refused before opening: asks for a fresh token and backs off 500, 1000, 2000, 4000, 5000, 5000 ms; an open resets it', async () => {
    let created = nextSocket();
    mod.connectLive();
    let ws = await created;
    for (const [i, delay] of [500, 1000, 2000, 4000, 5000, 5000].entries()) {
      created = nextSocket();
      ws.serverCloses();
      vi.advanceTimersByTime(delay - 1);
      expect(vi.getTimerCount(), `retry ${i + 1} fired before ${delay} ms`).toBe(1);
      vi.advanceTimersByTime(1);
      expect(vi.getTimerCount(), `retry ${i + 1} did not fire at ${delay} ms`).toBe(0);
      ws = await created;
    }
    expect(ws.protocols).toEqual(['observastack', 'bearer.tok7']);
    expect(fetches).toHaveLength(7);

    ws.serverOpens();
    created = nextSocket();
    ws.serverCloses();
    vi.advanceTimersByTime(500);
    expect((await created).protocols).toEqual(['observastack', 'bearer.tok7']); // opened once: backoff and token kept
  });

  it('when the platform refuses a session: refused with its reason (not "down"), and tries again later', async () => {
    sessions.push({ status: 403, token: '' });
    mod.connectLive();
    await liveUntil(mod, (s) => s.connection === 'refused');
    expect(mod.live.get().refusal).toBe('not on this machine');
    expect(FakeSocket.created).toHaveLength(0);
    const created = nextSocket();
    vi.advanceTimersByTime(500);
    const ws = await created;
    expect(ws.protocols).toEqual(['observastack', 'bearer.tok1']);
    expect(fetches).toHaveLength(2);
    ws.serverOpens();
    expect(mod.live.get()).toMatchObject({ connection: 'open', refusal: null });
  });
});
