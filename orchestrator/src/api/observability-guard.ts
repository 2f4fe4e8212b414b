import type { RequestHandler } from 'express';
import { HttpError } from '@observastack/sut-common/errors.ts';

/** The observability path is read-only: anything but GET/HEAD under /api/telemetry is 405. */
export const readOnly: RequestHandler = (req, res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  res.setHeader('allow', 'GET, HEAD');
  next(
    new HttpError(`the telemetry API is read-only: ${req.method} is not allowed`, {
      code: 'method_not_allowed',
      status: 405,
    }),
  );
};

/**
 * The trace ingest (`/v1/traces`) is for the SUT's exporters on this machine: a peer elsewhere, or any browser
 * (it sends an Origin), or a request that came through a reverse proxy, is refused before the body is read.
 */
export function ingestGuard(trustedPeer: (address: string | undefined) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (req.headers.origin !== undefined)
      return next(new HttpError('browsers may not send telemetry here', { code: 'forbidden_origin', status: 403 }));
    const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
    if (proxied || !trustedPeer(req.socket.remoteAddress))
      return next(
        new HttpError('telemetry is only accepted from this machine', { code: 'forbidden_peer', status: 403 }),
      );
    next();
  };
}
