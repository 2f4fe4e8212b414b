import { Router } from 'express';
import type { Calibrator } from '../calibration/calibrator.ts';
import type { ServiceStatus } from '../protocol/ws-messages.ts';

/**
 * `GET /api/health`: answers whatever state the platform is in (probes and Prometheus call it under any Host).
 * Degraded while any supervised process is down or coming back; `ready` is false while a run would be refused.
 */
export function healthRoutes(o: {
  mode: string;
  statuses: () => ServiceStatus[];
  notReady: () => string | null;
  runState: () => string | null;
  calibrator: Pick<Calibrator, 'calibration' | 'busyReason'>;
}): Router {
  return Router().get('/health', (_req, res) => {
    const services = o.statuses();
    const c = o.calibrator.calibration;
    res.json({
      status: services.some((s) => s.state !== 'running') ? 'degraded' : 'ok',
      mode: o.mode,
      ready: o.notReady() === null,
      services,
      run: o.runState(),
      calibration: {
        capacityRps: c?.capacityRps ?? null,
        source: c?.source ?? 'reference',
        measuredAt: c?.measuredAt ?? null,
        measuring: o.calibrator.busyReason() !== null,
      },
    });
  });
}
