import { Router } from 'express';
import { ApiError } from './api-error.ts';
import { mintSessionToken, sessionTtlSeconds } from '../auth/session-token.ts';
import type { SessionResponse } from '../protocol/rest.ts';

/**
 * `POST /api/session`: a session token for the browser, without a password, only for a peer on this machine
 * (`trustedPeer`, loopback by default). The origin and host guards in front of it already refused a foreign
 * Origin or a rebinding Host, so a page elsewhere can neither get a token nor read one.
 */
export function sessionRoutes(secret: Uint8Array, trustedPeer: (address: string | undefined) => boolean): Router {
  return Router().post('/session', async (req, res) => {
    if (!trustedPeer(req.socket.remoteAddress)) {
      throw new ApiError('session tokens are only issued to a browser on this machine', { code: 'forbidden_peer', status: 403 });
    }
    res.setHeader('cache-control', 'no-store');
    const body: SessionResponse = { token: await mintSessionToken(secret), expiresInSeconds: sessionTtlSeconds };
    res.json(body);
  });
}
