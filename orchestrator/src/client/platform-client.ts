import { openSocket, PlatformError, platformRequest, SessionTokens } from '../protocol/client-core.ts';
import { type ServerMessage, serverMessageSchema } from '../protocol/ws-messages.ts';

// The platform's client for Node programs: `npm run scenarios:verify`, the benchmarks, the integration tests and
// the e2e support. Its session, request and socket are the ones the lesson site uses (protocol/client-core.ts);
// here every WebSocket message is also checked against the protocol's schema.

const sessions = new Map<string, SessionTokens>();

function tokensOf(base: string, key?: string): SessionTokens {
  const cacheKey = `${base} ${key ?? ''}`;
  let tokens = sessions.get(cacheKey);
  if (!tokens)
    sessions.set(cacheKey, (tokens = new SessionTokens({ base: () => base, key: () => key, timeoutMs: 10_000 })));
  return tokens;
}

/**
 * A control-path session token of the platform at `base` (POST /api/session): one per base, shared by every
 * caller, fetched anew with `fresh` (after a 401). `key`: the learner key of a platform reached through a public
 * URL. Rejects with SessionRefusedError (status and the platform's reason) when refused.
 */
export function sessionToken(base: string, o: { fresh?: boolean; key?: string } = {}): Promise<string> {
  return tokensOf(base, o.key).get(o.fresh);
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
  // Without a session (e.g. a test of a refusal) the request goes without a token and shows the platform's answer.
  const token = (fresh: boolean) => sessionToken(base, { fresh }).catch(() => undefined);
  const r = await platformRequest(base, method, path, {
    body,
    headers,
    token: own ? undefined : token,
    signal: AbortSignal.timeout(30_000),
  });
  return { status: r.status, body: r.json ?? (r.text || null) };
}

/** For callers that want the answer's body, or a PlatformError naming the request and the status. */
export async function apiOk(base: string, method: string, path: string, body?: unknown): Promise<ApiAnswer['body']> {
  const r = await platformRequest(base, method, path, { body, token: (fresh) => sessionToken(base, { fresh }) });
  if (!r.ok) throw PlatformError.of(r, `${method} ${path}`);
  return r.json;
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
    const ws = openSocket(base, token);
    const socket = new PlatformSocket(ws);
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true });
      ws.addEventListener('error', () => reject(new Error(`the WebSocket at ${base}/ws was refused or failed`)), {
        once: true,
      });
    });
    return socket;
  }

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.addEventListener('message', (ev) => {
      const recvAt = Date.now();
      const raw = String(ev.data);
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch (err) {
        this.invalid.push({ raw: raw.slice(0, 300), issues: String(err) });
        return;
      }
      const parsed = serverMessageSchema.safeParse(json);
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
