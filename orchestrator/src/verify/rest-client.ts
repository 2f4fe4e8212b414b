import { type ApiAnswer, apiRequest } from '../client/platform-client.ts';

/** The few REST calls a verification makes, as a learner's browser would (JSON over /api, a session token). */
export class RestClient {
  private readonly base: string;

  constructor(baseUrl: string) {
    this.base = baseUrl;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const r: ApiAnswer = await apiRequest(this.base, method, `/api${path}`, body);
    return { status: r.status, body: r.body as T };
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} /api${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  }
}
