import { existsSync } from 'node:fs';
import express, { type Express, type Router } from 'express';
import { errorMiddleware, notFound } from './api/error-middleware.ts';
import { originGuard } from './api/origin-guard.ts';

export interface AppParts {
  allowedOrigins: () => Set<string>;
  /** Routers mounted under /api, in order. */
  api: Router[];
  /** Routers mounted at the root (e.g. the OTLP receiver at /v1/traces). */
  root?: Router[];
  siteDir?: string;
  log: (msg: string, err?: unknown) => void;
}

/** Builds the orchestrator's Express app; it does not listen (server.ts / platform.ts does). */
export function buildApp(parts: AppParts): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use((_req, res, next) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    next();
  });
  for (const r of parts.root ?? []) app.use(r);
  app.use('/api', originGuard(parts.allowedOrigins), express.json({ limit: '64kb', strict: true }));
  for (const r of parts.api) app.use('/api', r);
  app.use('/api', notFound);
  if (parts.siteDir && existsSync(parts.siteDir)) {
    app.use(express.static(parts.siteDir, { extensions: ['html'], index: 'index.html', maxAge: '5m' }));
  } else {
    app.get('/', (_req, res) => {
      res.type('text/plain').send('ObservaStack is running. The lesson site is not built yet: run `npm run build:site`, then reload.\nAPI: /api/health, /api/scenarios, /api/openapi.json\n');
    });
  }
  app.use(errorMiddleware(parts.log));
  return app;
}
