import WebSocket from 'ws';
import type { SessionResponse } from '../protocol/rest.ts';
import { requestSession, sessionPath, socketProtocols } from '../protocol/session-contract.ts';
import { type ServerMessage, serverMessageSchema } from '../protocol/ws-messages.ts';

// The one client of the platform for Node programs: `npm run scenarios:verify`, the benchmarks, the integration
// tests and the e2e support all get their session token, call the REST API and watch the WebSocket through it.
// (The lesson site's browser client, site/src/lib/session.ts and live.ts, takes the same protocol without zod.)

const sessions = new Map<string, Promise<string>>();

/**
 * A control-path session token of the platform at `base` (POST /api/session): one per base, shared by every
 * caller, fetched anew with `fresh` (after a 401). `key`: the learner key of a platform reached through a public
 * URL. Rejects with the status and the answer when refused.
 */
export function sessionToken(base: string, o: { fresh?: boolean; key?: string } = {}): Promise<string> {
  const cacheKey = `${base} ${o.key ?? ''}`;
  if (o.fresh || !sessions.has(cacheKey)) {
    const p = requestSession(base, o.key, AbortSignal.timeout(10_000)).then(async (r) => {
      if (r.status !== 200)
        throw new Error(`POST ${sessionPath} answered ${r.status}: ${(await r.text()).slice(0, 300)}`);
      return ((await r.json()) as SessionResponse).token;
    });
    // A refusal is not kept: the next caller asks again.
    p.catch(() => sessions.delete(cacheKey));
    sessions.set(cacheKey, p);
  }
  return sessions.get(cacheKey)!;
}

export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the answer of any endpoint; callers check what they read.
  body: any;
}

/**
 * One request to the platform's API: JSON in (a string body is sent as it is) and out (text when not JSON). It
 * sends the session token, fetched anew once after a 401, unless the caller passes its own `authorization` header.
 */
export async function apiRequest(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiAnswer> {
  const own = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  const send = async (token: string | undefined): Promise<ApiAnswer> => {
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    try {
      return { status: res.status, body: text ? JSON.parse(text) : null };
    } catch {
      return { status: res.status, body: text };
    }
  };
  const tokenOrNone = (fresh: boolean) => sessionToken(base, { fresh }).catch(() => undefined);
  const first = await send(own ? undefined : await tokenOrNone(false));
  if (first.status !== 401 || own) return first;
  return send(await tokenOrNone(true));
}

/** `apiRequest` for callers that want the answer's body or an error naming the status. */
export async function apiOk(base: string, method: string, path: string, body?: unknown): Promise<ApiAnswer['body']> {
  const r = await apiRequest(base, method, path, body);
  if (r.status >= 300)
    throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

export interface Received {
  msg: ServerMessage;
  /** Date.now() on arrival: the clock the server stamps `at` with when both run on this host. */
  recvAt: number;
}

/**
 * The platform's WebSocket (/ws), opened as the lesson site opens it (bearer subprotocol). Every message is
 * checked against the protocol's schema and kept with its arrival time; one the schema refuses is kept aside in
 * `invalid` (a test asserts there are none).
 */
export class PlatformSocket {
  readonly received: Received[] = [];
  readonly messages: ServerMessage[] = [];
  readonly invalid: { raw: string; issues: unknown }[] = [];
  private readonly listeners = new Set<(m: ServerMessage) => void>();
  private readonly ws: WebSocket;

  /** Opens `<base>/ws` with the platform's session token, another `token`, or (`token: null`) none. */
  static async open(base: string, o: { token?: string | null } = {}): Promise<PlatformSocket> {
    const token = o.token === undefined ? await sessionToken(base) : o.token;
    const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`, token ? socketProtocols(token) : []);
    const socket = new PlatformSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return socket;
  }

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const recvAt = Date.now();
      const raw = data.toString();
      const parsed = serverMessageSchema.safeParse(JSON.parse(raw));
      if (!parsed.success) {
        this.invalid.push({ raw: raw.slice(0, 300), issues: parsed.error.issues });
        return;
      }
      this.received.push({ msg: parsed.data, recvAt });
      this.messages.push(parsed.data);
      for (const l of this.listeners) l(parsed.data);
    });
  }

  /** Calls `listener` with every valid message from now on; returns the unsubscribe function. */
  onMessage(listener: (m: ServerMessage) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The first message from index `from` on (already received or future) that matches; rejects after `timeoutMs`. */
  async waitForReceived(pred: (m: ServerMessage) => boolean, timeoutMs: number, from = 0): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.received.length; i++) if (pred(this.received[i].msg)) return this.received[i];
      const left = deadline - Date.now();
      if (left <= 0) {
        const types = [...new Set(this.messages.map((m) => m.type))].join(', ');
        throw new Error(`no matching WebSocket message within ${timeoutMs} ms; got types: ${types}`);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, left);
        const off = this.onMessage(done);
        function done() {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    }
  }

  /** As waitForReceived, the message alone. */
  waitFor<T extends ServerMessage>(pred: (m: ServerMessage) => m is T, timeoutMs: number, from?: number): Promise<T>;
  waitFor(pred: (m: ServerMessage) => boolean, timeoutMs: number, from?: number): Promise<ServerMessage>;
  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs: number, from = 0): Promise<ServerMessage> {
    return (await this.waitForReceived(pred, timeoutMs, from)).msg;
  }

  /** The run events of one type received so far. */
  events(type: string): Extract<ServerMessage, { type: 'event' }>[] {
    return this.messages.filter(
      (m): m is Extract<ServerMessage, { type: 'event' }> => m.type === 'event' && m.event.type === type,
    );
  }

  close(): void {
    this.listeners.clear();
    this.ws.close();
  }
}
