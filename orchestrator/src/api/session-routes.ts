import express, { Router, type Request } from 'express';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { parseInput } from './validate.ts';
import { mintSessionToken, sessionTtlSeconds } from '../auth/session-token.ts';
import { isLoopbackHost } from '../auth/loopback.ts';
import { keyMatches } from '../access/learner-key.ts';
import { createWriteLimiter, type WriteLimit } from '@observastack/sut-common/auth/write-limiter.ts';
import { sessionBodySchema, type SessionResponse } from '../protocol/rest.ts';

/** Wrong learner keys: a few typos are fine, a guessing script waits (10 at once, then one every 6 s). */
export const defaultKeyFailureLimit: WriteLimit = { burst: 10, perSecond: 1 / 6 };

export interface SessionOptions {
  secret: Uint8Array;
  /** The peer is on this machine (loopback by default). */
  trustedPeer: (address: string | undefined) => boolean;
  /** The public URLs' origins: a request naming one came from outside. */
  publicOrigins: () => Set<string>;
  /** The learner key; without it, only this machine gets sessions. */
  learnerKey?: string;
  /** Where the learner finds the key, for the 401 message. */
  keyHint?: string;
  keyFailureLimit?: WriteLimit;
}

const forwardingHeaders = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip'];

/**
 * A browser on the learner's own machine: a loopback peer, a loopback Host, no proxy in between (a local
 * browser sends no X-Forwarded-*; Gitpod's, Codespaces' and Kubernetes' proxies do, even from a loopback peer)
 * and not a page of a public URL. Anything else came from outside and needs the learner key.
 */
function onThisMachine(req: Request, o: SessionOptions): boolean {
  return (
    o.trustedPeer(req.socket.remoteAddress) &&
    isLoopbackHost(req.headers.host) &&
    !forwardingHeaders.some((h) => req.headers[h] !== undefined) &&
    !(req.headers.origin !== undefined && o.publicOrigins().has(req.headers.origin))
  );
}

/**
 * `POST /api/session`: a session token for the browser. On the learner's machine without a password; from
 * outside (a public URL, another machine) only with the learner key, compared in constant time, wrong keys
 * rate limited (checked before comparing, so a script cannot keep guessing). The origin and host guards in
 * front of it already refused a foreign Origin or a rebinding Host.
 */
export function sessionRoutes(o: SessionOptions): Router {
  const failures = createWriteLimiter(o.keyFailureLimit ?? defaultKeyFailureLimit);
  const hint = o.keyHint ?? 'open the URL with ?key= printed when the platform started';
  return Router().post('/session', express.json({ limit: '4kb', strict: true }), async (req, res) => {
    const body = parseInput(sessionBodySchema, req.body ?? {}, 'session request');
    if (!onThisMachine(req, o)) {
      if (!o.learnerKey)
        throw new HttpError('session tokens are only issued to a browser on this machine', {
          code: 'forbidden_peer',
          status: 403,
        });
      const wait = failures.wait();
      if (wait > 0) {
        res.setHeader('retry-after', String(wait));
        throw new HttpError(`too many wrong learner keys: retry in ${wait} s`, { code: 'rate_limited', status: 429 });
      }
      if (body.key === undefined || !keyMatches(o.learnerKey, body.key)) {
        if (body.key !== undefined) failures.take();
        res.setHeader('www-authenticate', 'Bearer realm="observastack-learner-key"');
        const what =
          body.key === undefined
            ? 'this platform is reached through a public URL: a session needs the learner key, sent as {"key": "..."}'
            : 'wrong learner key';
        throw new HttpError(`${what}. Where to find it: ${hint}`, { code: 'learner_key_required', status: 401 });
      }
    }
    res.setHeader('cache-control', 'no-store');
    const reply: SessionResponse = { token: await mintSessionToken(o.secret), expiresInSeconds: sessionTtlSeconds };
    res.json(reply);
  });
}
