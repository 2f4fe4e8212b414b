import type { RequestHandler } from 'express';
import { ApiError } from './api-error.ts';

/**
 * CORS for an allowlist of origins (a separately hosted site) and a CSRF defence: a state-changing request
 * that carries an Origin must come from this server or the allowlist. Browsers always send Origin on
 * cross-site POST/PATCH/DELETE, so a page elsewhere cannot drive the learner's platform.
 */
export function originGuard(allowed: () => Set<string>): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    const self = `http://${req.headers.host}`;
    const ok = origin === undefined || origin === self || allowed().has(origin);
    if (origin && ok) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-methods', 'GET, POST, PATCH, DELETE, OPTIONS');
      res.setHeader('access-control-allow-headers', 'content-type, authorization');
      res.setHeader('access-control-max-age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.status(ok ? 204 : 403).end();
      return;
    }
    if (!ok && req.method !== 'GET' && req.method !== 'HEAD') {
      next(new ApiError(`origin ${origin} is not allowed to change this platform`, { code: 'forbidden_origin', status: 403 }));
      return;
    }
    next();
  };
}
