import { mintToken } from '@observastack/sut-common/auth/tokens.ts';
import type { ConfigState } from '../scenarios/scenario-schema.ts';
import type { KnobService } from '../scenarios/knobs.ts';

export interface ConfigChangeResult {
  config: Record<string, unknown>;
  changes: { key: string; from: unknown; to: unknown }[];
}

export interface ServiceReply {
  status: number;
  body: any;
}

/**
 * Talks to the SUT services' admin routes on the control path. Every write carries a short-lived JWT
 * (audience `sut-config`) minted here; the services verify it themselves.
 */
export class SutControl {
  private readonly adminUrls: Record<KnobService, string>;
  private readonly secret: Uint8Array;
  /** Told of every write a service accepted that changed something (the change log listens). */
  onChange: ((service: KnobService, who: string, changes: ConfigChangeResult['changes']) => void) | null = null;

  constructor(adminUrls: Record<KnobService, string>, secret: Uint8Array) {
    this.adminUrls = adminUrls;
    this.secret = secret;
  }

  url(service: KnobService, path: string): string {
    return this.adminUrls[service] + path;
  }

  private async call(
    service: KnobService,
    method: string,
    path: string,
    body?: unknown,
    who?: string,
  ): Promise<ServiceReply> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (who) headers.authorization = `Bearer ${await mintToken({ secret: this.secret, subject: who, ttlSeconds: 60 })}`;
    const res = await fetch(this.url(service, path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { error: { code: 'bad_upstream', message: text.slice(0, 200) } };
    }
    return { status: res.status, body: json };
  }

  getConfig(service: KnobService): Promise<ServiceReply> {
    return this.call(service, 'GET', '/config');
  }

  getSchema(service: KnobService): Promise<ServiceReply> {
    return this.call(service, 'GET', '/config/schema');
  }

  async health(service: KnobService): Promise<ServiceReply> {
    try {
      return await this.call(service, 'GET', '/healthz');
    } catch (err) {
      return { status: 503, body: { status: 'unreachable', reason: (err as Error).message } };
    }
  }

  /**
   * Forwards a partial config; the service validates it (400 with issues) and applies it atomically: 200 once in
   * effect, 202 when accepted but not yet in effect (`pending` says why), 409 when applying it failed.
   */
  patchConfig(service: KnobService, patch: unknown, who: string): Promise<ServiceReply> {
    return this.call(service, 'PATCH', '/config', patch, who).then((r) => this.told(service, who, r));
  }

  resetConfig(service: KnobService, who: string): Promise<ServiceReply> {
    return this.call(service, 'POST', '/config/reset', {}, who).then((r) => this.told(service, who, r));
  }

  private told(service: KnobService, who: string, r: ServiceReply): ServiceReply {
    const changes = r.body?.changes;
    if ((r.status === 200 || r.status === 202) && Array.isArray(changes) && changes.length)
      this.onChange?.(service, who, changes);
    return r;
  }

  /** Applies a scenario's config state service by service; throws on the first refusal. */
  async applyState(state: ConfigState, who: string): Promise<ConfigChangeResult[]> {
    const out: ConfigChangeResult[] = [];
    for (const [service, patch] of Object.entries(state)) {
      const r = await this.patchConfig(service as KnobService, patch, who);
      if (r.status !== 200 && r.status !== 202)
        throw new Error(
          `${service} refused ${JSON.stringify(patch)}: ${r.status} ${JSON.stringify(r.body?.error ?? r.body)}`,
        );
      out.push(r.body);
    }
    return out;
  }
}
