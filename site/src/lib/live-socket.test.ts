import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveState } from './live.ts';
import { t0, run, event, snapshot } from './live-fixtures.ts';
import type { ServerMessage } from './types.ts';

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
