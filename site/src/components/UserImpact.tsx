import { useMemo } from 'react';
import { LazyChart } from './LazyChart.tsx';
import type { RunEvent, SecondStatsView, SloView } from '../lib/types.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';
import { quietOnCall } from '../lib/on-call.ts';

const windowSeconds = 300;

/** The USER view: what the simulated shoppers experience, second by second, against the SLO. */
export default function UserImpact() {
  const s = useLive();
  const slo = s.run?.slo ?? null;
  const stats = s.stats.slice(-windowSeconds);
  const rows = useMemo(
    () =>
      stats.map((x) => ({
        t: x.t,
        success: x.successPct,
        p50: x.latencyMs?.p50 ?? null,
        p95: x.latencyMs?.p95 ?? null,
        p99: x.latencyMs?.p99 ?? null,
      })),
    [stats],
  );
  // On call and not paged yet, the fault is not marked (the curves still show what users get, as a dashboard does).
  const quiet = quietOnCall(s.run, s.events);
  const markers = s.events.filter(
    (e) => (e.type === 'fault_applied' && !quiet) || (e.type === 'config_changed' && e.data.who === 'learner'),
  );
  const last10 = stats.slice(-10);
  const lastMin = stats.slice(-60);
  const successNow = ratio(last10, slo);
  const p95s = last10.flatMap((x) => (x.latencyMs ? [x.latencyMs.p95] : []));
  const p95Now = p95s.length ? p95s.reduce((a, b) => a + b, 0) / p95s.length : null;
  const ordersPerMin = lastMin.reduce((a, x) => a + x.ordersCreated, 0) * (60 / Math.max(1, lastMin.length));
  const affected = lastMin.reduce((a, x) => a + failed(x, slo), 0);
  const first = rows[0]?.t;
  const lastT = rows[rows.length - 1]?.t;
  const inRange = (e: RunEvent) => first !== undefined && e.at / 1000 >= first && e.at / 1000 <= lastT!;
  const markerLines = markers.filter(inRange).map((e) => ({
    x: Math.round(e.at / 1000),
    color: e.type === 'fault_applied' ? '#b91c1c' : '#15803d',
    label: e.type === 'fault_applied' ? 'fault' : 'change',
  }));
  const sloOk =
    successNow === null || !slo ? null : successNow >= slo.successPct && (p95Now ?? 0) <= slo.latencyThresholdMs;

  return (
    <Widget name="user-impact" title="What users experience" down={s.connection === 'down' && stats.length === 0}>
      <dl className="tiles" data-slo={sloOk === null ? 'unknown' : sloOk ? 'met' : 'breached'}>
        <div className={`tile ${slo && successNow !== null && successNow < slo.successPct ? 'tile-bad' : ''}`}>
          <dt>Successful requests (last 10 s)</dt>
          <dd data-metric="success-pct">{successNow === null ? '–' : `${successNow.toFixed(1)} %`}</dd>
          {slo ? <dd className="muted">SLO ≥ {slo.successPct} %</dd> : null}
        </div>
        <div className={`tile ${slo && p95Now !== null && p95Now > slo.latencyThresholdMs ? 'tile-bad' : ''}`}>
          <dt>Latency p95 (mean of the last 10 s)</dt>
          <dd data-metric="p95">{p95Now === null ? '–' : `${Math.round(p95Now)} ms`}</dd>
          {slo ? (
            <dd className="muted">
              SLO p{slo.latencyPercentile} ≤ {slo.latencyThresholdMs} ms
            </dd>
          ) : null}
        </div>
        <div className="tile">
          <dt>Orders per minute</dt>
          <dd data-metric="orders">{lastMin.length ? Math.round(ordersPerMin) : '–'}</dd>
        </div>
        <div className={`tile ${affected > 0 ? 'tile-warn' : ''}`}>
          <dt>Users affected (last minute)</dt>
          <dd data-metric="affected">{lastMin.length ? affected : '–'}</dd>
          <dd className="muted">requests that failed</dd>
        </div>
      </dl>
      {rows.length === 0 ? (
        <p className="muted">No traffic yet: the simulated users start with a run.</p>
      ) : (
        <div className="user-charts">
          <figure>
            <figcaption>Successful requests per second, %</figcaption>
            <LazyChart
              rows={rows}
              height={200}
              yWidth={56}
              format={(v) => `${Math.round(v * 10) / 10} %`}
              yDomain={[(min: number) => Math.max(0, Math.min(90, Math.floor(min))), 100]}
              series={[{ key: 'success', name: 'success %', color: '#2563eb' }]}
              hLines={slo ? [{ y: slo.successPct, color: '#b91c1c', label: `SLO ${slo.successPct} %` }] : []}
              vLines={markerLines}
            />
          </figure>
          <figure>
            <figcaption>Latency percentiles, ms</figcaption>
            <LazyChart
              rows={rows}
              height={200}
              yWidth={68}
              legend
              format={(v) => `${Math.round(v)} ms`}
              series={[
                { key: 'p50', name: 'p50', color: '#059669', width: 1.5 },
                { key: 'p95', name: 'p95', color: '#d97706' },
                { key: 'p99', name: 'p99', color: '#7c3aed', width: 1.5 },
              ]}
              hLines={
                slo ? [{ y: slo.latencyThresholdMs, color: '#b91c1c', label: `SLO ${slo.latencyThresholdMs} ms` }] : []
              }
              vLines={markerLines}
            />
          </figure>
        </div>
      )}
    </Widget>
  );
}

function failed(x: SecondStatsView, slo: SloView | null): number {
  const o = x.outcomes;
  return (
    o.client + o.server + o.timeout + o.connection + o.dropped + (slo?.rateLimitedCountsAsSuccess ? 0 : o.rate_limited)
  );
}

function ratio(xs: SecondStatsView[], slo: SloView | null): number | null {
  const done = xs.reduce((a, x) => a + x.offered, 0);
  if (!done) return null;
  return (100 * (done - xs.reduce((a, x) => a + failed(x, slo), 0))) / done;
}
