import { requestSession, socketProtocols } from './session-contract.ts';

// The platform's one client, in the parts every program shares: the lesson site in the browser and the Node
// client (orchestrator/src/client/platform-client.ts: scenarios:verify, the benchmarks, the tests) alike get their
// session token, call the API and hold the WebSocket through it. Standard fetch and WebSocket only (browsers and
// Node >= 22 have both); it imports only the session contract, so the browser may load it (the import-map test
// holds it to that).

/** The platform answered but would not give a session (not on the learner's machine, or no/wrong learner key). */
export class SessionRefusedError extends Error {
  readonly status: number;
  constructor(status: number, body: string) {
    let message = `the platform refused a session (${status})`;
    try {
      message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? message;
    } catch {
      // not JSON: keep the generic message
    }
    super(message);
    this.status = status;
  }
}

export interface SessionTokensOptions {
  /** The platform's base URL (no trailing slash), asked at each request: the site's may depend on the page. */
  base: () => string;
  /** The learner key, when the platform is reached through a public URL. */
  key?: () => string | null | undefined;
  /** Told of a refusal before it is thrown (the site forgets a stale learner key on a 401). */
  onRefused?: (status: number) => void;
  /** Gives up on an unanswered session request after this long (none: the browser's own limits). */
  timeoutMs?: number;
}

/**
 * The control-path session token of one platform (POST /api/session): kept until a minute before it expires,
 * one request in flight however many callers ask at once; `get(true)` asks anew (after a 401). A refusal is not
 * kept: the next caller asks again.
 */
export class SessionTokens {
  readonly #opts: SessionTokensOptions;
  #cached: { token: string; until: number } | null = null;
  #pending: Promise<string> | null = null;

  constructor(opts: SessionTokensOptions) {
    this.#opts = opts;
  }

  get(fresh = false): Promise<string> {
    if (!fresh && this.#cached && this.#cached.until > Date.now()) return Promise.resolve(this.#cached.token);
    const { base, key, onRefused, timeoutMs } = this.#opts;
    this.#pending ??= requestSession(base(), key?.(), timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined)
      .then(async (res) => {
        if (!res.ok) {
          onRefused?.(res.status);
          throw new SessionRefusedError(res.status, await res.text().catch(() => ''));
        }
        const body = (await res.json()) as { token: string; expiresInSeconds: number };
        this.#cached = { token: body.token, until: Date.now() + Math.max(30, body.expiresInSeconds - 60) * 1000 };
        return body.token;
      })
      .finally(() => {
        this.#pending = null;
      });
    return this.#pending;
  }
}

export interface PlatformAnswer {
  status: number;
  ok: boolean;
  /** The body as sent. */
  text: string;
  /** The body parsed as JSON; null when empty or not JSON. */
  json: unknown;
}

export interface PlatformRequest {
  /** JSON (a string is sent as it is). */
  body?: unknown;
  /** The session token to send as `Authorization: Bearer`, asked anew once after a 401. None: no token. */
  token?: (fresh: boolean) => Promise<string | undefined>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The platform answered a request with an error: its status, and its body's `{error: {code, message, issues}}`. */
export class PlatformError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: { path: string; message: string }[];
  constructor(status: number, body: { code?: string; message?: string; issues?: { path: string; message: string }[] }) {
    super(body.message ?? `request failed with status ${status}`);
    this.status = status;
    this.code = body.code ?? 'error';
    this.issues = body.issues ?? [];
  }

  /** The error of an answer that is not ok (a body that is not the platform's JSON becomes the message). */
  static of(answer: PlatformAnswer, context?: string): PlatformError {
    const e =
      answer.json && typeof answer.json === 'object' && 'error' in answer.json
        ? (answer.json as { error: unknown }).error
        : null;
    const body =
      e && typeof e === 'object'
        ? (e as ConstructorParameters<typeof PlatformError>[1])
        : { message: typeof e === 'string' ? e : answer.text.slice(0, 200) || undefined };
    const err = new PlatformError(answer.status, body);
    if (context) err.message = `${context} answered ${answer.status}: ${err.message}`;
    return err;
  }
}

/** One request to the platform's API. Rejects only when the platform cannot be reached (or the token refused). */
export async function platformRequest(
  base: string,
  method: string,
  path: string,
  o: PlatformRequest = {},
): Promise<PlatformAnswer> {
  const send = async (fresh: boolean): Promise<PlatformAnswer> => {
    const token = await o.token?.(fresh);
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...o.headers,
      },
      body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
      signal: o.signal,
    });
    const text = await res.text();
    return { status: res.status, ok: res.ok, text, json: parseJson(text) };
  };
  const first = await send(false);
  return first.status === 401 && o.token ? send(true) : first;
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The platform's WebSocket URL (`/ws`) for its base URL. */
export function socketUrl(base: string): string {
  return `${base.replace(/^http/, 'ws')}/ws`;
}

/** Opens the platform's WebSocket as every client does: the session token rides in the bearer subprotocol. */
export function openSocket(base: string, token: string | null): WebSocket {
  return new WebSocket(socketUrl(base), token ? socketProtocols(token) : []);
}

export type Connection = 'connecting' | 'open' | 'down' | 'refused';

export interface LiveSocketOptions {
  base: () => string;
  tokens: SessionTokens;
  /** Every change of the connection; `refusal` is the platform's reason when it is `refused`. */
  onConnection: (connection: Connection, refusal: string | null) => void;
  /** Each text frame as received. */
  onMessage: (data: string) => void;
  /** Just opened (again): the place to re-send subscriptions. */
  onOpen?: () => void;
}

/**
 * The platform's WebSocket kept open: reconnects after a drop with backoff (500 ms doubling to 5 s, reset by an
 * open) and, when the upgrade was refused before it opened (expired token, platform restarted with a new
 * secret), with a fresh session token.
 */
export class LiveSocket {
  readonly #opts: LiveSocketOptions;
  #socket: WebSocket | null = null;
  #started = false;
  #retryMs = 500;
  #freshToken = false;

  constructor(opts: LiveSocketOptions) {
    this.#opts = opts;
  }

  /** Opens the socket once; later calls do nothing. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#open();
  }

  /** Sends when open; a message sent while down is dropped (subscriptions are re-sent from `onOpen`). */
  send(data: string): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(data);
  }

  async #open(): Promise<void> {
    const o = this.#opts;
    let ws: WebSocket;
    try {
      const token = await o.tokens.get(this.#freshToken);
      this.#freshToken = false;
      ws = openSocket(o.base(), token);
    } catch (err) {
      const refused = err instanceof SessionRefusedError && (err.status === 401 || err.status === 403);
      o.onConnection(refused ? 'refused' : 'down', refused ? err.message : null);
      return this.#retry();
    }
    this.#socket = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.#retryMs = 500;
      o.onConnection('open', null);
      o.onOpen?.();
    };
    ws.onmessage = (ev) => o.onMessage(String(ev.data));
    ws.onclose = () => {
      if (!opened) this.#freshToken = true;
      this.#socket = null;
      o.onConnection('down', null);
      this.#retry();
    };
  }

  #retry(): void {
    setTimeout(() => void this.#open(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, 5000);
  }
}
