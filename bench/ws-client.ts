// A WebSocket client of the platform's protocol that stamps each message with its receive time
// (Date.now(), the same clock the server stamps `at` with: both run on this host).
import { WebSocket } from 'ws';
import { serverMessageSchema, type ServerMessage } from '../orchestrator/src/protocol/ws-messages.ts';

export interface Received {
  msg: ServerMessage;
  recvAt: number;
}

export type RunEventMessage = Extract<ServerMessage, { type: 'event' }>;

export class TimedWsClient {
  readonly received: Received[] = [];
  invalid = 0;
  private readonly ws: WebSocket;
  readonly opened: Promise<void>;
  private waiters: (() => void)[] = [];

  /** Opens `<base>/ws` with a session token of the platform (the upgrade requires one). */
  static async connect(base: string): Promise<TimedWsClient> {
    const c = new TimedWsClient(
      `${base.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(await sessionToken(base))}`,
    );
    await c.opened;
    return c;
  }

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data) => {
      const recvAt = Date.now();
      const parsed = serverMessageSchema.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) {
        this.invalid++;
        return;
      }
      this.received.push({ msg: parsed.data, recvAt });
      const w = this.waiters;
      this.waiters = [];
      for (const wake of w) wake();
    });
  }

  /** The first message (received from index `from` on) matching `pred`; rejects after `timeoutMs`. */
  async waitFor(pred: (m: ServerMessage) => boolean, timeoutMs: number, from = 0): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.received.length; i++) if (pred(this.received[i].msg)) return this.received[i];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching WebSocket message within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for a run event of `type` (optionally of one run). */
  waitForEvent(
    type: string,
    timeoutMs: number,
    runId?: string,
    from = 0,
  ): Promise<Received & { msg: RunEventMessage }> {
    return this.waitFor(
      (m) => m.type === 'event' && m.event.type === type && (runId === undefined || m.event.runId === runId),
      timeoutMs,
      from,
    ) as Promise<Received & { msg: RunEventMessage }>;
  }

  close(): void {
    this.ws.close();
  }
}

const tokens = new Map<string, Promise<string>>();

/** A control session token of the platform at `base` (POST /api/session), one per base. */
export function sessionToken(base: string): Promise<string> {
  if (!tokens.has(base)) {
    const p = fetch(`${base}/api/session`, { method: 'POST', signal: AbortSignal.timeout(10_000) }).then(async (r) => {
      if (!r.ok) throw new Error(`POST /api/session answered ${r.status}`);
      return ((await r.json()) as { token: string }).token;
    });
    p.catch(() => tokens.delete(base));
    tokens.set(base, p);
  }
  return tokens.get(base)!;
}

/** JSON over HTTP to the platform's REST API, with the session token; throws on a non-2xx answer. */
export async function apiCall(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers.authorization = `Bearer ${await sessionToken(base)}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}
