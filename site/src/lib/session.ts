import { requestSession } from '../../../orchestrator/src/protocol/session-contract.ts';
import { orchestratorUrl } from './config.ts';

const keyStorage = 'observastack.learnerKey';

/**
 * The learner key, needed when the platform is reached through a public URL (Gitpod, Codespaces, a workshop):
 * taken once from the address (`/?key=…`, as printed at start), kept in localStorage for later pages and
 * tabs, and removed from the address bar so it does not end up in bookmarks, screenshots or the history.
 */
export function learnerKey(): string | null {
  if (typeof window === 'undefined') return null;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('key');
  try {
    if (fromUrl) {
      window.localStorage.setItem(keyStorage, fromUrl);
      url.searchParams.delete('key');
      window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    }
    return window.localStorage.getItem(keyStorage);
  } catch {
    // storage disabled: the key from the address still works for this page
    return fromUrl;
  }
}

// Strip the key from the address bar as soon as any widget loads this module.
learnerKey();

let cached: { token: string; until: number } | null = null;
let pending: Promise<string> | null = null;

/**
 * A control-path session token (POST /api/session, issued to a browser on the learner's machine), cached
 * until shortly before it expires. `refresh` forces a new one (after a 401).
 */
export function sessionToken(refresh = false): Promise<string> {
  if (!refresh && cached && cached.until > Date.now()) return Promise.resolve(cached.token);
  const key = learnerKey();
  pending ??= requestSession(orchestratorUrl(), key)
    .then(async (res) => {
      if (!res.ok) {
        const error = new SessionError(res.status, await res.text().catch(() => ''));
        // A stale or mistyped key is forgotten, so that opening the printed URL again sets the right one.
        if (res.status === 401 && key) forgetKey();
        throw error;
      }
      const body = (await res.json()) as { token: string; expiresInSeconds: number };
      cached = { token: body.token, until: Date.now() + Math.max(30, body.expiresInSeconds - 60) * 1000 };
      return body.token;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}

function forgetKey(): void {
  try {
    window.localStorage.removeItem(keyStorage);
  } catch {
    // nothing stored
  }
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
