import { SessionTokens } from '../../../orchestrator/src/protocol/client-core.ts';
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

/**
 * The page's control-path session token (POST /api/session), kept until shortly before it expires; `refresh`
 * asks anew (after a 401). A refusal rejects with SessionError (its status and the platform's reason).
 */
export const sessionTokens = new SessionTokens({
  base: orchestratorUrl,
  key: learnerKey,
  // A stale or mistyped key is forgotten, so that opening the printed URL again sets the right one.
  onRefused: (status) => {
    if (status === 401) forgetKey();
  },
});

export const sessionToken = (refresh = false): Promise<string> => sessionTokens.get(refresh);

function forgetKey(): void {
  try {
    window.localStorage.removeItem(keyStorage);
  } catch {
    // nothing stored
  }
}

/** The orchestrator answered but refused a session (e.g. the browser is not on the learner's machine). */
export { SessionRefusedError as SessionError } from '../../../orchestrator/src/protocol/client-core.ts';
