import { Router, type Response } from 'express';
import type { z } from 'zod';
import { issuesFrom } from '@observastack/sut-common/errors.ts';
import type { LogStore } from '../logs/log-store.ts';
import { logQuerySchema } from '../logs/log-query.ts';
import type { TraceStore } from '../traces/trace-store.ts';
import { traceIdParamSchema, traceSearchQuerySchema } from '../traces/trace-search-query.ts';
import type { PgStats } from '../db/pg-stats.ts';

export interface LogsTracesRoutesDeps {
  logs: LogStore;
  traces: TraceStore;
  /** Absent when the hub has no database to watch: `GET /db` then answers 503. */
  pgStats?: PgStats;
  /** Told when a database snapshot fails (the response only says the database is unreachable). */
  onDbError?: (err: unknown) => void;
}

/** The shape every telemetry route uses for errors. */
function sendError(res: Response, status: number, code: string, message: string, issues?: z.core.$ZodIssue[]): void {
  res.status(status).json({
    error: {
      code,
      message,
      ...(issues ? { issues: issuesFrom(issues) } : {}),
    },
  });
}

/**
 * Read-only routes over recent logs, traces and the database view. The orchestrator mounts them at
 * `/api/telemetry`: `GET /logs`, `GET /traces`, `GET /traces/:traceId`, `GET /db`.
 */
export function createLogsTracesRoutes(deps: LogsTracesRoutesDeps): Router {
  const router = Router();

  router.get('/logs', (req, res) => {
    const q = logQuerySchema.safeParse(req.query);
    if (!q.success) return sendError(res, 400, 'invalid_query', 'invalid log query', q.error.issues);
    res.json({ entries: deps.logs.query(q.data), services: deps.logs.services() });
  });

  router.get('/traces', (req, res) => {
    const q = traceSearchQuerySchema.safeParse(req.query);
    if (!q.success) return sendError(res, 400, 'invalid_query', 'invalid trace search', q.error.issues);
    res.json({ traces: deps.traces.search(q.data) });
  });

  router.get('/traces/:traceId', (req, res) => {
    const id = traceIdParamSchema.safeParse(req.params.traceId);
    if (!id.success) return sendError(res, 400, 'invalid_trace_id', 'a trace id is 32 hex characters', id.error.issues);
    const trace = deps.traces.getTrace(id.data);
    if (!trace) {
      return sendError(
        res,
        404,
        'trace_not_found',
        `trace ${id.data} is not in the store: it was never received, or it was evicted (only recent traces are kept)`,
      );
    }
    res.json(trace);
  });

  router.get('/db', async (_req, res) => {
    if (!deps.pgStats)
      return sendError(res, 503, 'db_stats_unavailable', 'the telemetry hub is not connected to a database');
    try {
      res.json(await deps.pgStats.snapshot());
    } catch (err) {
      deps.onDbError?.(err);
      sendError(res, 503, 'db_unreachable', 'the database did not answer the statistics queries');
    }
  });

  return router;
}
