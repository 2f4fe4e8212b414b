import type { RequestHandler } from 'express';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { hostnameOf, isLoopbackHost } from '../auth/loopback.ts';
import { requestOrigin, type TrustProxy } from '../access/forwarded.ts';

const trustNone: TrustProxy = () => false;

/**
 * The Host a request names must be this machine by a loopback name, or the host of an allowlisted origin.
 * This is the DNS-rebinding defence: a page on evil.example that re-points its name at 127.0.0.1 is still
 * same-origin with itself, so its requests carry `Host: evil.example` and are refused here.
 */
export function hostAllowed(hostHeader: string | undefined, allowed: Set<string>): boolean {
  if (isLoopbackHost(hostHeader)) return true;
  const name = hostnameOf(hostHeader);
  if (!name) return false;
  for (const o of allowed) {
    try {
      if (new URL(o).host === hostHeader?.toLowerCase()) return true;
    } catch {
      // an unparsable allowlist entry allows nothing
    }
  }
  return false;
}

/**
 * An Origin is acceptable when absent (not a browser, or a same-origin GET), this server itself (as the browser
 * named it: `proto` and host from a trusted proxy's X-Forwarded-*), or allowlisted (OBS_CORS_ORIGINS and the
 * public URLs).
 */
export function originAllowed(
  origin: string | undefined,
  hostHeader: string | undefined,
  allowed: Set<string>,
  proto = 'http',
): boolean {
  return (
    origin === undefined ||
    (origin === `${proto}://${hostHeader}` && hostAllowed(hostHeader, allowed)) ||
    allowed.has(origin)
  );
}

/** Paths that probes and Prometheus reach by the pod or container address: GET only, read-only, no control. */
export const anyHostPaths = new Set(['/health', '/telemetry/loadgen/metrics']);

/**
 * Refuses a request whose Host is not this machine or a public URL (see hostAllowed) with 403, whatever its
 * method; the Host is X-Forwarded-Host when a trusted proxy sent it. GET of `anyHostPaths` is exempt.
 */
export function hostGuard(allowed: () => Set<string>, trust: TrustProxy = trustNone): RequestHandler {
  return (req, _res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && anyHostPaths.has(req.path)) return next();
    const { host } = requestOrigin(req, trust);
    if (hostAllowed(host, allowed())) return next();
    next(
      new HttpError(
        `host ${JSON.stringify(String(host ?? '').slice(0, 100))} is not this platform: open it as http://127.0.0.1 or http://localhost, or set its public URL in OBS_PUBLIC_URL`,
        { code: 'forbidden_host', status: 403 },
      ),
    );
  };
}

/**
 * CORS for an allowlist of origins (a separately hosted site) and a CSRF defence: a state-changing request
 * that carries an Origin must come from this server or the allowlist. Browsers always send Origin on
 * cross-site POST/PATCH/DELETE, so a page elsewhere cannot drive the learner's platform; and since the
 * control API also needs a bearer token (never sent automatically by a browser), a forged form post fails twice.
 */
export function originGuard(allowed: () => Set<string>, trust: TrustProxy = trustNone): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    const seen = requestOrigin(req, trust);
    const ok = originAllowed(origin, seen.host, allowed(), seen.proto);
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
      next(
        new HttpError(`origin ${String(origin).slice(0, 100)} is not allowed to change this platform`, {
          code: 'forbidden_origin',
          status: 403,
        }),
      );
      return;
    }
    next();
  };
}
