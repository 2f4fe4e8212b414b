import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { mintSessionToken } from '../auth/session-token.ts';
import type { HintView, RunEvent, RunView, SecondStatsView } from '../protocol/index.ts';
import { protocolVersion, type ServerMessage } from '../protocol/ws-messages.ts';
import { backedUpBytes, backpressure, hopelessBytes, WsHub, type WsHubOptions } from './ws-hub.ts';

// A real hub on an ephemeral loopback port, real `ws` clients. Only the hub's heartbeat interval and the clock
// are faked (the sockets keep their real timers), so every wait below is on a message, a close or a handshake.

const secret = new TextEncoder().encode('ws-hub-unit-test-secret-0123456789');
const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);
const heartbeatMs = 1000;
const siteOrigin = 'http://site.example:8080';
const malformed = { type: 'error', message: 'unknown or malformed message' };

const run = (id: string, state: RunView['state'] = 'injected'): RunView => ({
  id,
  scenarioId: 'slow-db',
  title: 'Slow database',
  surprise: false,
  onCall: false,
  seed: 1,
  state,
  reason: null,
  startedAt: t0,
  injectedAt: t0 + 1000,
  breachedAt: null,
  endedAt: null,
  learnerChanges: 0,
  sloMet: null,
  stageTimes: { detect: null, localize: null, diagnose: null, fix: null },
  load: null,
  slo: {
    successPct: 99,
    latencyPercentile: 95,
    latencyThresholdMs: 300,
    windowSeconds: 30,
    holdSeconds: 60,
    rateLimitedCountsAsSuccess: false,
  },
});
const event = (seq: number): RunEvent => ({
  runId: 'r1',
  seq,
  at: t0 + seq,
  type: 'service_restarted',
  message: `restart ${seq}`,
  data: { service: 'api' },
});
const hint: HintView = { id: 'h1', runId: 'r1', at: t0, text: 'look at the pool', trigger: 'after 60s' };
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
const logMsg = (id: number): ServerMessage => ({
  type: 'log',
  line: { id, service: 'api', time: t0, level: 'info', msg: `line ${id}` },
});
const snapshotMsg = (n: number): ServerMessage => ({
  type: 'snapshot',
  protocolVersion,
  serverTime: Date.now(),
  run: n ? run(`r${n}`) : null,
  events: [],
  hints: [],
  stats: [],
  services: [],
});

/** One client of the hub, with every message it received queued in order. */
class Peer {
  readonly ws: WebSocket;
  readonly closed: Promise<number>;
  private readonly inbox: ServerMessage[] = [];
  private waiter: { resolve: (m: ServerMessage) => void; reject: (e: Error) => void } | null = null;
  private closeCode: number | null = null;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      if (this.waiter) this.waiter.resolve(m);
      else this.inbox.push(m);
      this.waiter = null;
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code) => {
        this.closeCode = code;
        this.waiter?.reject(new Error(`socket closed (code ${code}) while a message was awaited`));
        this.waiter = null;
        resolve(code);
      }),
    );
  }

  /** The next message, in arrival order; fails (rather than hangs) if the socket closes first. */
  next(): Promise<ServerMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closeCode !== null) return Promise.reject(new Error(`socket already closed (code ${this.closeCode})`));
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  async take(n: number): Promise<ServerMessage[]> {
    const out: ServerMessage[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  send(m: unknown): void {
    this.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
  }

  /** A round trip: every message sent before it has been handled by the hub once the answer arrives. */
  async sync(): Promise<void> {
    this.send({ type: 'ping' });
    expect(await this.next()).toEqual({ type: 'heartbeat', serverTime: Date.now() });
  }
}

interface Attempt {
  status: number;
  body?: unknown;
  /** Sec-WebSocket-Protocol of a 101 answer (undefined when the server chose none). */
  serverProtocol?: string;
  error?: string;
  peer?: Peer;
}

let server: Server | undefined;
let hub: WsHub | undefined;
let port: number;
let token: string;
const sockets: WebSocket[] = [];

async function start(o: Partial<WsHubOptions> = {}): Promise<WsHub> {
  const h = new WsHub({
    snapshot: () => snapshotMsg(0),
    allowedOrigins: () => new Set([siteOrigin]),
    secret,
    heartbeatMs,
    ...o,
  });
  const srv = createServer();
  h.attach(srv);
  [hub, server] = [h, srv];
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  port = (srv.address() as { port: number }).port;
  return h;
}

/** Opens an upgrade and reports how it ended: open (with a Peer), refused (status and JSON body) or failed. */
function attempt(
  o: {
    path?: string;
    protocols?: string[];
    origin?: string;
    headers?: Record<string, string>;
    autoPong?: boolean;
  } = {},
): Promise<Attempt> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${o.path ?? '/ws'}`, o.protocols ?? [], {
    origin: o.origin,
    headers: o.headers,
    autoPong: o.autoPong ?? true,
  });
  sockets.push(ws);
  const peer = new Peer(ws);
  let serverProtocol: string | undefined;
  return new Promise((resolve) => {
    ws.once('upgrade', (res) => (serverProtocol = res.headers['sec-websocket-protocol']));
    ws.once('open', () => resolve({ status: 101, serverProtocol, peer }));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    ws.once('error', (err) =>
      resolve({ status: serverProtocol === undefined ? 0 : 101, serverProtocol, error: err.message }),
    );
  });
}

/** A connected client (token in the bearer subprotocol) that has received its snapshot. */
async function connect(o: { viaQuery?: boolean; autoPong?: boolean } = {}): Promise<Peer> {
  const a = await attempt(
    o.viaQuery
      ? { path: `/ws?token=${token}`, autoPong: o.autoPong }
      : { protocols: ['observastack', `bearer.${token}`], autoPong: o.autoPong },
  );
  if (!a.peer) throw new Error(`upgrade refused: ${a.status} ${JSON.stringify(a.body ?? a.error)}`);
  expect((await a.peer.next()).type).toBe('snapshot');
  return a.peer;
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], now: t0 });
  token = await mintSessionToken(secret);
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  hub?.close();
  const srv = server;
  [hub, server] = [undefined, undefined];
  if (srv) {
    srv.closeAllConnections();
    await new Promise((resolve) => srv.close(resolve));
  }
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('WsHub upgrade', () => {
  beforeEach(async () => {
    await start();
  });

  it('answers 404 for any path other than /ws, before looking at the token', async () => {
    const a = await attempt({ path: '/socket' });
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ error: { code: 'not_found', message: 'no such endpoint' } });
  });

  it('refuses a Host that is not this machine (DNS rebinding) with 403', async () => {
    const a = await attempt({
      headers: { host: `evil.example:${port}` },
      protocols: ['observastack', `bearer.${token}`],
    });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: { code: 'forbidden', message: 'host is not this platform' } });
  });

  it('refuses a cross-site Origin with 403 even with a valid token', async () => {
    const a = await attempt({ origin: 'http://evil.example', protocols: ['observastack', `bearer.${token}`] });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: { code: 'forbidden', message: 'origin not allowed' } });
  });

  it('accepts the server’s own origin and an allowlisted one', async () => {
    const own = await attempt({ origin: `http://127.0.0.1:${port}`, protocols: ['observastack', `bearer.${token}`] });
    const listed = await attempt({ origin: siteOrigin, protocols: ['observastack', `bearer.${token}`] });
    expect([own.status, listed.status]).toEqual([101, 101]);
  });

  it('refuses an upgrade without a token with 401 and says how to get one', async () => {
    const a = await attempt({ protocols: ['observastack'] });
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('POST /api/session') } });
  });

  it.each([
    ['not a JWT', async () => 'not-a-jwt', 'token invalid'],
    [
      'signed with another secret',
      () => mintSessionToken(new TextEncoder().encode('another-secret-another-secret-00')),
      'token signature invalid',
    ],
  ])('refuses a token %s with 401 and the reason', async (_name, make, reason) => {
    const bad = await make();
    const viaQuery = await attempt({ path: `/ws?token=${bad}` });
    const viaProtocol = await attempt({ protocols: ['observastack', `bearer.${bad}`] });
    expect([viaQuery.status, viaQuery.body]).toEqual([401, { error: { code: 'unauthorized', message: reason } }]);
    expect([viaProtocol.status, viaProtocol.body]).toEqual([401, { error: { code: 'unauthorized', message: reason } }]);
  });

  it('accepts the token in ?token= (no subprotocol chosen) or in the bearer subprotocol (answers observastack)', async () => {
    const q = await attempt({ path: `/ws?token=${token}` });
    const p = await attempt({ protocols: ['observastack', `bearer.${token}`] });
    expect([q.status, q.serverProtocol]).toEqual([101, undefined]);
    expect([p.status, p.serverProtocol, p.peer?.ws.protocol]).toEqual([101, 'observastack', 'observastack']);
  });

  it('never echoes the bearer subprotocol, so a client offering only that one cannot complete the handshake', async () => {
    const a = await attempt({ protocols: [`bearer.${token}`] });
    expect(a.serverProtocol).toBeUndefined();
    expect(a.error).toBe('Server sent no subprotocol');
    expect(a.peer).toBeUndefined();
  });
});

describe('WsHub messages', () => {
  it('sends each new client a snapshot built at connection time', async () => {
    let n = 0;
    const hub = await start({ snapshot: () => snapshotMsg(++n) });
    const a = await attempt({ protocols: ['observastack', `bearer.${token}`] });
    const b = await attempt({ protocols: ['observastack', `bearer.${token}`] });
    expect(await a.peer!.next()).toEqual({ ...snapshotMsg(1), run: run('r1') });
    expect(await b.peer!.next()).toEqual({ ...snapshotMsg(2), run: run('r2') });
    expect(hub.size).toBe(2);
  });

  it('broadcasts every message to every client, in order', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect({ viaQuery: true });
    const msgs: ServerMessage[] = [
      { type: 'run', run: run('r1') },
      { type: 'event', event: event(1) },
      { type: 'hint', hint },
      { type: 'stats', stats: stats(1) },
    ];
    for (const m of msgs) hub.broadcast(m);
    expect(await a.take(msgs.length)).toEqual(msgs);
    expect(await b.take(msgs.length)).toEqual(msgs);
  });

  it('forgets a client that closed and keeps broadcasting to the others', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect();
    a.ws.close();
    expect(await a.closed).toBe(1005);
    await vi.waitFor(() => expect(hub.size).toBe(1));
    hub.broadcast({ type: 'run', run: run('r2') });
    expect(await b.next()).toEqual({ type: 'run', run: run('r2') });
  });

  it('answers ping with a heartbeat carrying the server clock, to that client only', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect();
    vi.setSystemTime(t0 + 42_000);
    a.send({ type: 'ping' });
    expect(await a.next()).toEqual({ type: 'heartbeat', serverTime: t0 + 42_000 });
    hub.broadcast({ type: 'run', run: run('r1') });
    expect(await b.next()).toEqual({ type: 'run', run: run('r1') }); // no heartbeat before it
  });

  it('answers each malformed or unknown message with one error, and keeps the connection', async () => {
    const subscribeLogs = vi.fn(() => () => {});
    const hub = await start({ subscribeLogs });
    const a = await connect();
    const bad = [
      'not json',
      'null',
      '[]',
      '{"type":"admin"}',
      '{"no":"type"}',
      JSON.stringify({ type: 'subscribe-logs', service: 'x'.repeat(33) }),
      JSON.stringify({ type: 'subscribe-logs', level: 5 }),
    ];
    for (const m of bad) a.send(m);
    expect(await a.take(bad.length)).toEqual(bad.map(() => malformed));
    await a.sync();
    expect(subscribeLogs).not.toHaveBeenCalled();
    expect(hub.size).toBe(1);
  });

  it('closes a client that sends a frame over 16 KiB (1009) and forgets it', async () => {
    const hub = await start();
    const a = await connect();
    a.send('x'.repeat(16 * 1024 + 1));
    expect(await a.closed).toBe(1009);
    await vi.waitFor(() => expect(hub.size).toBe(0));
  });
});

describe('WsHub live logs', () => {
  it('subscribes with the filter and delivers the lines to that client only', async () => {
    const sends: ((m: ServerMessage) => void)[] = [];
    const subscribeLogs = vi.fn(
      (_f: { service?: string; level?: string; text?: string }, send: (m: ServerMessage) => void) => (
        sends.push(send), () => {}
      ),
    );
    const hub = await start({ subscribeLogs });
    const a = await connect();
    const b = await connect();
    a.send({ type: 'subscribe-logs', service: 'api', level: 'warn', text: 'timeout' });
    await a.sync();
    expect(subscribeLogs).toHaveBeenCalledTimes(1);
    expect(subscribeLogs.mock.calls[0][0]).toEqual({ service: 'api', level: 'warn', text: 'timeout' });
    sends[0](logMsg(1));
    hub.broadcast({ type: 'run', run: run('r1') });
    expect(await a.take(2)).toEqual([logMsg(1), { type: 'run', run: run('r1') }]);
    expect(await b.next()).toEqual({ type: 'run', run: run('r1') });
  });

  it('replaces a subscription: the previous one is ended before the new one starts', async () => {
    const calls: string[] = [];
    const hub = await start({
      subscribeLogs: (f) => (calls.push(`subscribe ${f.service}`), () => calls.push(`unsubscribe ${f.service}`)),
    });
    const a = await connect();
    a.send({ type: 'subscribe-logs', service: 'api' });
    a.send({ type: 'subscribe-logs', service: 'gateway' });
    await a.sync();
    expect(calls).toEqual(['subscribe api', 'unsubscribe api', 'subscribe gateway']);
  });

  it('ends the subscription on unsubscribe-logs, once', async () => {
    const unsubscribe = vi.fn();
    const hub = await start({ subscribeLogs: () => unsubscribe });
    const a = await connect();
    a.send({ type: 'subscribe-logs' });
    a.send({ type: 'unsubscribe-logs' });
    a.send({ type: 'unsubscribe-logs' });
    await a.sync();
    expect(unsubscribe).toHaveBeenCalledTimes(1);
  });

  it('ends the subscription when the client goes away, and a late line for it goes nowhere', async () => {
    let send: ((m: ServerMessage) => void) | undefined;
    let unsubscribed!: () => void;
    const ended = new Promise<void>((resolve) => (unsubscribed = resolve));
    const hub = await start({ subscribeLogs: (_f, s) => ((send = s), unsubscribed) });
    const a = await connect();
    a.send({ type: 'subscribe-logs', text: 'x' });
    await a.sync();
    a.ws.terminate();
    await ended;
    expect(() => send!(logMsg(2))).not.toThrow();
  });

  it('ignores subscribe-logs when the platform has no log tail (no error either)', async () => {
    const hub = await start();
    const a = await connect();
    a.send({ type: 'subscribe-logs', service: 'api' });
    a.send({ type: 'unsubscribe-logs' });
    await a.sync(); // the next message is the heartbeat, not an error
  });
});

describe('WsHub backpressure', () => {
  const types: ServerMessage['type'][] = [
    'snapshot',
    'run',
    'event',
    'hint',
    'stats',
    'resolution',
    'service',
    'log',
    'heartbeat',
    'error',
  ];
  const droppable = ['stats', 'log', 'heartbeat'];

  it.each(types)(
    '%s: sent up to the backed-up mark, dropped only if droppable above it, cut off beyond the hopeless mark',
    (type) => {
      expect(backpressure(type, 0)).toBe('send');
      expect(backpressure(type, backedUpBytes)).toBe('send');
      expect(backpressure(type, backedUpBytes + 1)).toBe(droppable.includes(type) ? 'drop' : 'send');
      expect(backpressure(type, hopelessBytes)).toBe(droppable.includes(type) ? 'drop' : 'send');
      expect(backpressure(type, hopelessBytes + 1)).toBe('terminate');
    },
  );

  it('skips droppable messages for a backed-up client, keeps the rest, and cuts it off when hopeless; others get everything', async () => {
    const hub = await start();
    let slowBuffered = 0;
    // The hub reads bufferedAmount on its own (server-side) sockets only. The slow client is the one that connected
    // with ?token= and no subprotocol, so its server-side socket has protocol ''.
    vi.spyOn(WebSocket.prototype, 'bufferedAmount', 'get').mockImplementation(function (this: WebSocket) {
      return this.protocol === '' ? slowBuffered : 0;
    });
    const fast = await connect();
    const slow = await connect({ viaQuery: true });
    slowBuffered = backedUpBytes + 1;
    const all: ServerMessage[] = [
      { type: 'stats', stats: stats(1) },
      logMsg(1),
      { type: 'heartbeat', serverTime: t0 },
      { type: 'run', run: run('r1') },
      { type: 'event', event: event(1) },
      { type: 'hint', hint },
      {
        type: 'resolution',
        runId: 'r1',
        outcome: 'resolved',
        scenarioId: 'slow-db',
        title: 'Slow database',
        explanation: 'pool',
        stageTimes: run('r1').stageTimes,
      },
      { type: 'service', service: { name: 'api', state: 'running', pid: 7, restarts: 0, lastExit: null } },
      { type: 'error', message: 'x' },
    ];
    for (const m of all) hub.broadcast(m);
    expect(await fast.take(all.length)).toEqual(all);
    expect(await slow.take(all.length - 3)).toEqual(all.filter((m) => !droppable.includes(m.type)));

    slowBuffered = hopelessBytes + 1;
    hub.broadcast({ type: 'run', run: run('r2') });
    expect(await slow.closed).toBe(1006);
    expect(await fast.next()).toEqual({ type: 'run', run: run('r2') });
    await vi.waitFor(() => expect(hub.size).toBe(1));
  });
});

describe('WsHub heartbeat', () => {
  it('pings every client and sends a heartbeat each period; a client that never pongs is cut off at the next one', async () => {
    const hub = await start();
    const live = await connect();
    const dead = await connect({ autoPong: false });
    const livePinged = new Promise<void>((resolve) => live.ws.once('ping', () => resolve()));
    const deadPinged = new Promise<void>((resolve) => dead.ws.once('ping', () => resolve()));

    vi.advanceTimersByTime(heartbeatMs);
    await Promise.all([livePinged, deadPinged]);
    expect(await live.next()).toEqual({ type: 'heartbeat', serverTime: t0 + heartbeatMs });
    expect(await dead.next()).toEqual({ type: 'heartbeat', serverTime: t0 + heartbeatMs });
    await live.sync(); // its automatic pong went out before this ping, so the hub has seen it

    vi.advanceTimersByTime(heartbeatMs);
    expect(await dead.closed).toBe(1006);
    expect(await live.next()).toEqual({ type: 'heartbeat', serverTime: t0 + 2 * heartbeatMs });
    await vi.waitFor(() => expect(hub.size).toBe(1));
  });

  it('close() cuts off every client and stops the heartbeat', async () => {
    const hub = await start();
    const a = await connect();
    const b = await connect();
    expect(vi.getTimerCount()).toBe(1);
    hub.close();
    expect(await Promise.all([a.closed, b.closed])).toEqual([1006, 1006]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
