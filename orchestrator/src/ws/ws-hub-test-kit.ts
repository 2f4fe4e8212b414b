import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import { WebSocket } from 'ws';
import { mintSessionToken } from '../auth/session-token.ts';
import type { HintView, RunEvent, RunView, SecondStatsView } from '../protocol/index.ts';
import { protocolVersion, type ServerMessage } from '../protocol/ws-messages.ts';
import { WsHub, type WsHubOptions } from './ws-hub.ts';

// The hub's test kit (ws-hub-*.test.ts): a real hub on an ephemeral loopback port, real `ws` clients. Only the hub's heartbeat interval and the clock
// are faked (the sockets keep their real timers), so every wait below is on a message, a close or a handshake.

export const secret = new TextEncoder().encode('ws-hub-unit-test-secret-0123456789');
export const t0 = Date.UTC(2030, 0, 1, 12, 0, 0);
export const heartbeatMs = 1000;
export const siteOrigin = 'http://site.example:8080';
export const malformed = { type: 'error', message: 'unknown or malformed message' };

export const run = (id: string, state: RunView['state'] = 'injected'): RunView => ({
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
export const event = (seq: number): RunEvent => ({
  runId: 'r1',
  seq,
  at: t0 + seq,
  type: 'service_restarted',
  message: `restart ${seq}`,
  data: { service: 'api' },
});
export const hint: HintView = { id: 'h1', runId: 'r1', at: t0, text: 'look at the pool', trigger: 'after 60s' };
export const stats = (t: number): SecondStatsView => ({
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
export const logMsg = (id: number): ServerMessage => ({
  type: 'log',
  line: { id, service: 'api', time: t0, level: 'info', msg: `line ${id}` },
});
export const snapshotMsg = (n: number): ServerMessage => ({
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
export class Peer {
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

export let server: Server | undefined;
export let hub: WsHub | undefined;
export let port: number;
export let token: string;
export const sockets: WebSocket[] = [];

export async function start(o: Partial<WsHubOptions> = {}): Promise<WsHub> {
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
export function attempt(
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
export async function connect(o: { viaQuery?: boolean; autoPong?: boolean } = {}): Promise<Peer> {
  const a = await attempt(
    o.viaQuery
      ? { path: `/ws?token=${token}`, autoPong: o.autoPong }
      : { protocols: ['observastack', `bearer.${token}`], autoPong: o.autoPong },
  );
  if (!a.peer) throw new Error(`upgrade refused: ${a.status} ${JSON.stringify(a.body ?? a.error)}`);
  expect((await a.peer.next()).type).toBe('snapshot');
  return a.peer;
}

/** Registers the hooks every hub test file needs: faked interval and clock, a fresh token, and cleanup. */
export function useHub(): void {
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
}
