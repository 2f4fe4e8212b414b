import { Router } from 'express';
import { buildOrchestratorOpenApi } from './openapi.ts';

export function openapiRoutes(): Router {
  const doc = buildOrchestratorOpenApi();
  return Router().get('/openapi.json', (_req, res) => void res.json(doc));
}
