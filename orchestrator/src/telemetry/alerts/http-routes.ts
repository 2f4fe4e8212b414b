import { Router } from 'express';
import { formatValue } from '../promql/index.ts';
import type { RuleEvaluator } from './rule-evaluator.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * The hub's alerts, shaped like Prometheus's /api/v1/alerts (plus the state-change history and rule health).
 * Mounted by the orchestrator at `/api/telemetry/alerts`.
 */
export function createAlertsRoutes(evaluator: RuleEvaluator): Router {
  const router = Router();
  router.get('/', (_req, res) => {
    res.json({
      status: 'success',
      data: {
        alerts: evaluator.alerts().map((a) => ({
          labels: a.labels,
          annotations: a.annotations,
          state: a.state,
          activeAt: iso(a.activeAtMs),
          firedAt: iso(a.firedAtMs),
          value: formatValue(a.value),
        })),
        events: evaluator.events().map((e) => ({
          seq: e.seq,
          group: e.group,
          alertname: e.alertname,
          state: e.state,
          at: iso(e.atMs),
          labels: e.labels,
          annotations: e.annotations,
          value: formatValue(e.value),
        })),
        rules: evaluator.rules().map(({ lastEvaluationMs, ...r }) => ({ ...r, lastEvaluation: iso(lastEvaluationMs) })),
      },
    });
  });
  return router;
}
