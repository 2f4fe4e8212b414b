import { existsSync } from 'node:fs';
import express, { type Express, type Router } from 'express';
import type { WriteLimit } from '@observastack/sut-common/auth/write-limiter.ts';
import { errorMiddleware, notFound } from './api/error-middleware.ts';
import { hostGuard, originGuard } from './api/origin-guard.ts';
import { securityHeaders } from './api/security-headers.ts';
import { requireSession } from './api/require-session.ts';
import { writeRateLimit } from './api/rate-limit.ts';
import { sessionRoutes } from './api/session-routes.ts';
import { ingestGuard, readOnly } from './api/observability-guard.ts';
import { isLoopbackAddress } from './auth/loopback.ts';
import type { TrustProxy } from './access/forwarded.ts';

/**
 * JSON.parse keeps `__proto__` as an own key, and a schema may then drop it silently while the rest of the body
 * applies: such bodies are refused whole (400), as fastify's secure-json-parse does on the SUT side.
 */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (
    key === '__proto__' ||
    (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
  ) {
    throw new SyntaxError(`forbidden key "${key}" in the JSON body`);
  }
  return value;
}

export interface AppParts {
  allowedOrigins: () => Set<string>;
  /** HS256 secret of the session tokens (the same file the SUT verifies config writes with; other audience). */
  secret: Uint8Array;
  /** Routers mounted under /api, in order. */
  api: Router[];
  /** Routers mounted at the root (e.g. the OTLP receiver at /v1/traces). */
  root?: Router[];
  siteDir?: string;
  /** OBS_GRAFANA_URL: the only frame the site may embed. */
  grafanaUrl?: string;
  /** Peers that may get a session token and send traces (default: loopback only). */
  trustedPeer?: (address: string | undefined) => boolean;
  /** Budget of each class of control writes (default: a burst of 120, then 20/s). */
  writeLimit?: WriteLimit;
  /** Reverse proxies whose X-Forwarded-* are honoured (OBS_TRUSTED_PROXIES; default none). */
  trustProxy?: TrustProxy;
  /** The public URLs' origins (also in allowedOrigins): a session asked for through one needs the learner key. */
  publicOrigins?: () => Set<string>;
  /** The learner key; without one, sessions are for this machine only. */
  learnerKey?: string;
  /** Where the learner finds the key (said in the 401). */
  keyHint?: string;
  /** Budget of wrong learner keys (default: 10, then one per 6 s). */
  keyFailureLimit?: WriteLimit;
  log: (msg: string, err?: unknown) => void;
}

/**
 * Builds the orchestrator's Express app; it does not listen (platform.ts does). One listener, three prefixes:
 * `/api` (control: host + origin checks, session token on every write, rate limit), `/api/telemetry` and
 * `/v1/traces` (observability: read-only, ingest from this machine only), and the static site.
 */
export function buildApp(parts: AppParts): Express {
  const app = express();
  const trustedPeer = parts.trustedPeer ?? isLoopbackAddress;
  app.disable('x-powered-by');
  const trust: TrustProxy = parts.trustProxy ?? (() => false);
  app.set('trust proxy', trust);
  app.use(securityHeaders({ grafanaUrl: parts.grafanaUrl, siteDir: parts.siteDir }));
  app.use('/v1', ingestGuard(trustedPeer));
  for (const r of parts.root ?? []) app.use(r);
  app.use('/api', hostGuard(parts.allowedOrigins, trust), originGuard(parts.allowedOrigins, trust));
  app.use('/api/telemetry', readOnly);
  const limit = writeRateLimit(parts.writeLimit);
  app.use(
    '/api',
    limit.session,
    sessionRoutes({
      secret: parts.secret,
      trustedPeer,
      publicOrigins: parts.publicOrigins ?? (() => new Set()),
      learnerKey: parts.learnerKey,
      keyHint: parts.keyHint,
      keyFailureLimit: parts.keyFailureLimit,
    }),
  );
  app.use(
    '/api',
    requireSession(parts.secret),
    limit.writes,
    express.json({ limit: '64kb', strict: true, reviver: refusePrototypeKeys }),
  );
  for (const r of parts.api) app.use('/api', r);
  app.use('/api', notFound);
  if (parts.siteDir && existsSync(parts.siteDir)) {
    app.use(express.static(parts.siteDir, { extensions: ['html'], index: 'index.html', maxAge: '5m' }));
  } else {
    app.get('/', (_req, res) => {
      res
        .type('text/plain')
        .send(
          'ObservaStack is running. The lesson site is not built yet: run `npm run build:site`, then reload.\nAPI: /api/health, /api/scenarios, /api/openapi.json\n',
        );
    });
  }
  app.use(errorMiddleware(parts.log));
  return app;
}
