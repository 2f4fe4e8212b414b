// How every client gets and shows a session token: the lesson site in the browser and the Node client alike.
// This module imports nothing (no zod), so the browser may import its values; the import-map test holds it to that.

/** `POST` here for a control-path session token. */
export const sessionPath = '/api/session';
/** Offer both as `new WebSocket(url, socketProtocols(token))`; the server answers `wsProtocol`. */
export const wsProtocol = 'observastack';
export const wsBearerProtocolPrefix = 'bearer.';

/** The WebSocket subprotocols that carry a session token (a browser cannot set an Authorization header there). */
export function socketProtocols(token: string): string[] {
  return [wsProtocol, wsBearerProtocolPrefix + token];
}

/**
 * The one session request of every client: `POST /api/session` on the platform at `base`, with the learner key
 * when the platform is reached through a public URL. The caller reads the answer (200 `{token, expiresInSeconds}`,
 * or an error body) and keeps the token as it needs.
 */
export function requestSession(base: string, key?: string | null, signal?: AbortSignal): Promise<Response> {
  return fetch(
    base + sessionPath,
    key
      ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }), signal }
      : { method: 'POST', signal },
  );
}
