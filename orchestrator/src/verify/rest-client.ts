import { sessionPath, type SessionResponse } from '../protocol/rest.ts';

/** The few REST calls a verification makes, as a learner's browser would (JSON over /api, a session token). */
export class RestClient {
  private readonly base: string;
  private token: string | null = null;

  constructor(baseUrl: string) {
    this.base = baseUrl + '/api';
  }

  /** Gets a session token (POST /api/session) for writes and the WebSocket; returns it. */
  async session(): Promise<string> {
    const res = await fetch(this.base.replace(/\/api$/, '') + sessionPath, { method: 'POST' });
    if (res.status !== 200) throw new Error(`POST ${sessionPath} answered ${res.status}: ${await res.text()}`);
    this.token = ((await res.json()) as SessionResponse).token;
    return this.token;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} /api${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
