import { orchestratorUrl } from './config.ts';

// Values of the contract in orchestrator/src/protocol/rest.ts (sessionPath, wsProtocol, wsBearerProtocolPrefix),
// repeated here because importing that module's values would ship zod to the browser; the e2e suite
// exercises both ends together.
export const sessionPath = '/api/session';
export const wsProtocol = 'observastack';
export const wsBearerProtocolPrefix = 'bearer.';

let cached: { token: string; until: number } | null = null;
let pending: Promise<string> | null = null;

/**
 * A control-path session token (POST /api/session, issued to a browser on the learner's machine), cached
 * until shortly before it expires. `refresh` forces a new one (after a 401).
 */
export function sessionToken(refresh = false): Promise<string> {
  if (!refresh && cached && cached.until > Date.now()) return Promise.resolve(cached.token);
  pending ??= fetch(`${orchestratorUrl()}${sessionPath}`, { method: 'POST' })
    .then(async (res) => {
      if (!res.ok) throw new SessionError(res.status, await res.text().catch(() => ''));
      const body = (await res.json()) as { token: string; expiresInSeconds: number };
      cached = { token: body.token, until: Date.now() + Math.max(30, body.expiresInSeconds - 60) * 1000 };
      return body.token;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

/** The orchestrator answered but refused a session (e.g. the browser is not on the learner's machine). */
export class SessionError extends Error {
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
