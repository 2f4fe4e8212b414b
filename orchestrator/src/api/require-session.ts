import type { RequestHandler } from 'express';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { bearerOf, verifySessionToken } from '../auth/session-token.ts';

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing /api request needs `Authorization: Bearer <session token>` (from POST /api/session).
 * Reads stay open to this machine: the host guard keeps them off other sites and CORS keeps their answers
 * unreadable to other origins.
 */
export function requireSession(secret: Uint8Array): RequestHandler {
  return async (req, res, next) => {
    if (readMethods.has(req.method)) return next();
    const token = bearerOf(req.headers.authorization);
    try {
      if (!token)
        throw new HttpError(
          'this request changes the platform: send Authorization: Bearer <token> from POST /api/session',
          { code: 'unauthorized', status: 401 },
        );
      res.locals.actor = await verifySessionToken(token, secret);
      next();
    } catch (err) {
      res.setHeader('www-authenticate', 'Bearer realm="observastack-control"');
      next(err);
    }
  };
}
