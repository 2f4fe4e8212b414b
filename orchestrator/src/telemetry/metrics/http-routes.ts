import { Router, type Response } from 'express';
import { z } from 'zod';
import { issuesText } from '@observastack/sut-common/errors.ts';
import type { MetricsHub } from './index.ts';
import {
  exemplarQueryParamsSchema,
  instantQueryParamsSchema,
  panelDataParamsSchema,
  queryRangeParamsSchema,
} from './query-params-schema.ts';
import { PromqlEvalError, PromqlParseError, PromqlUnsupportedError } from '../promql/errors.ts';
import { getPanel, isMetricPanel, panelCatalog } from '../catalog/index.ts';
import type { PanelData } from '../../protocol/views.ts';
import { hubSource, type MetricsSource, UpstreamQueryError } from './metrics-source.ts';

type ErrorType = 'bad_data' | 'unsupported';

function fail(res: Response, errorType: ErrorType, error: string): void {
  res.status(400).json({ status: 'error', errorType, error });
}

/** Runs a query, answering the Prometheus-style error for bad or unsupported PromQL; other errors propagate. */
async function answer(res: Response, run: () => Promise<unknown>): Promise<void> {
  try {
    res.json({ status: 'success', data: await run() });
  } catch (err) {
    if (err instanceof z.ZodError) fail(res, 'bad_data', issuesText(err.issues, 'query'));
    else if (err instanceof PromqlUnsupportedError) fail(res, 'unsupported', err.message);
    else if (err instanceof PromqlParseError || err instanceof PromqlEvalError) fail(res, 'bad_data', err.message);
    else if (err instanceof UpstreamQueryError)
      res.status(err.status).json({ status: 'error', errorType: err.errorType, error: err.message });
    else throw err;
  }
}

/**
 * Prometheus-API-compatible read endpoints, plus the panel catalog; the queries go to `source` (default: the
 * embedded hub; in stack mode a real Prometheus), scrape health comes from the hub. Mounted by the orchestrator
 * at `/api/telemetry/metrics`.
 */
export function createMetricsRoutes(hub: MetricsHub, o: { source?: MetricsSource; now?: () => number } = {}): Router {
  const router = Router();
  const source = o.source ?? hubSource(hub);
  const now = o.now ?? (() => Date.now() / 1000);

  router.get('/query_range', (req, res) =>
    answer(res, () => {
      const p = queryRangeParamsSchema.parse(req.query);
      return source.queryRange(p.query, p.start, p.end, p.step);
    }),
  );

  router.get('/query', (req, res) =>
    answer(res, () => {
      const p = instantQueryParamsSchema.parse(req.query);
      return source.query(p.query, p.time ?? now());
    }),
  );

  router.get('/query_exemplars', (req, res) =>
    answer(res, () => {
      const p = exemplarQueryParamsSchema.parse(req.query);
      const end = p.end ?? now();
      return source.queryExemplars(p.query, p.start ?? end - 900, end);
    }),
  );

  router.get('/targets', (_req, res) => {
    res.json({ status: 'success', data: hub.targets() });
  });

  router.get('/panels', (_req, res) => {
    res.json({ status: 'success', data: panelCatalog });
  });

  router.get('/panels/:id/data', (req, res) => {
    const panel = getPanel(req.params.id);
    if (!panel) {
      res
        .status(404)
        .json({ status: 'error', errorType: 'not_found', error: `no panel ${JSON.stringify(req.params.id)}` });
      return;
    }
    if (!isMetricPanel(panel))
      return fail(
        res,
        'bad_data',
        `panel ${panel.id} is a ${panel.kind} panel; its query is served by the ${panel.kind} API`,
      );
    answer(res, async (): Promise<PanelData> => {
      const p = panelDataParamsSchema.parse(req.query);
      const end = p.end ?? now();
      const start = p.start ?? end - 900;
      return {
        panel,
        source: source.name,
        results: await Promise.all(
          panel.queries.map(async (q) => ({
            expr: q.expr,
            legend: q.legend,
            data: await source.queryRange(q.expr, start, end, p.step),
          })),
        ),
      };
    });
  });

  return router;
}
