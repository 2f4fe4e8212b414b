import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { timeOfDay } from '../lib/format.ts';
import type { RunEvent, SecondStatsView, SloView } from '../lib/types.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';

const windowSeconds = 300;

/** The USER view: what the simulated shoppers experience, second by second, against the SLO. */
export default function UserImpact() {
  const s = useLive();
  const slo = s.run?.slo ?? null;
  const stats = s.stats.slice(-windowSeconds);
  const rows = useMemo(() => stats.map((x) => ({
    t: x.t,
    success: x.successPct,
    p50: x.latencyMs?.p50 ?? null,
    p95: x.latencyMs?.p95 ?? null,
    p99: x.latencyMs?.p99 ?? null,
  })), [stats]);
  const markers = s.events.filter((e) => e.type === 'fault_applied' || (e.type === 'config_changed' && e.data.who === 'learner'));
  const last10 = stats.slice(-10);
  const lastMin = stats.slice(-60);
  const successNow = ratio(last10, slo);
  const p95Now = last10.length ? Math.max(...last10.map((x) => x.latencyMs?.p95 ?? 0)) : null;
  const ordersPerMin = lastMin.reduce((a, x) => a + x.ordersCreated, 0) * (60 / Math.max(1, lastMin.length));
  const affected = lastMin.reduce((a, x) => a + failed(x, slo), 0);
  const first = rows[0]?.t;
  const lastT = rows[rows.length - 1]?.t;
  const inRange = (e: RunEvent) => first !== undefined && e.at / 1000 >= first && e.at / 1000 <= lastT!;
  const markerLines = markers.filter(inRange).map((e) => (
    <ReferenceLine key={e.seq} x={Math.round(e.at / 1000)} stroke={e.type === 'fault_applied' ? '#b91c1c' : '#15803d'} strokeDasharray="3 3"
      label={{ value: e.type === 'fault_applied' ? 'fault' : 'change', position: 'insideTopLeft', fontSize: 11, fill: '#374151' }} />
  ));
  const sloOk = successNow === null || !slo ? null : successNow >= slo.successPct && (p95Now ?? 0) <= slo.latencyThresholdMs;

  return (
    <Widget name="user-impact" title="What users experience" down={s.connection === 'down' && stats.length === 0}>
      <dl className="tiles" data-success={successNow ?? ''}>
        <div className={`tile ${sloOk === false ? 'tile-bad' : ''}`}>
          <dt>Successful requests (last 10 s)</dt>
          <dd data-metric="success-pct">{successNow === null ? '–' : `${successNow.toFixed(1)} %`}</dd>
          {slo ? <dd className="muted">SLO ≥ {slo.successPct} %</dd> : null}
        </div>
        <div className="tile">
          <dt>Latency p95 (last 10 s)</dt>
          <dd data-metric="p95">{p95Now === null ? '–' : `${Math.round(p95Now)} ms`}</dd>
          {slo ? <dd className="muted">SLO p{slo.latencyPercentile} ≤ {slo.latencyThresholdMs} ms</dd> : null}
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
      {rows.length === 0 ? <p className="muted">No traffic yet: the simulated users start with a run.</p> : (
        <div className="user-charts">
          <figure>
            <figcaption>Successful requests per second, %</figcaption>
            <div className="chart" style={{ height: 200 }}>
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e5e7eb" vertical={false} />
                  <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => timeOfDay(t * 1000)} tick={{ fontSize: 11 }} minTickGap={40} />
                  <YAxis domain={[(min: number) => Math.max(0, Math.min(90, Math.floor(min))), 100]} tick={{ fontSize: 11 }} width={40} />
                  <Tooltip labelFormatter={(t) => timeOfDay(Number(t) * 1000)} formatter={(v) => `${Number(v).toFixed(1)} %`} />
                  {slo ? <ReferenceLine y={slo.successPct} stroke="#b91c1c" strokeDasharray="6 4" label={{ value: `SLO ${slo.successPct} %`, position: 'insideBottomRight', fontSize: 11, fill: '#b91c1c' }} /> : null}
                  {markerLines}
                  <Line dataKey="success" name="success %" stroke="#2563eb" dot={false} strokeWidth={2} isAnimationActive={false} connectNulls />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </figure>
          <figure>
            <figcaption>Latency percentiles, ms</figcaption>
            <div className="chart" style={{ height: 200 }}>
              <ResponsiveContainer width="100%" height="100%">
                <LineChart data={rows} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
                  <CartesianGrid stroke="#e5e7eb" vertical={false} />
                  <XAxis dataKey="t" type="number" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => timeOfDay(t * 1000)} tick={{ fontSize: 11 }} minTickGap={40} />
                  <YAxis tick={{ fontSize: 11 }} width={48} />
                  <Tooltip labelFormatter={(t) => timeOfDay(Number(t) * 1000)} formatter={(v) => `${Math.round(Number(v))} ms`} />
                  <Legend wrapperStyle={{ fontSize: 12 }} />
                  {slo ? <ReferenceLine y={slo.latencyThresholdMs} stroke="#b91c1c" strokeDasharray="6 4" label={{ value: `SLO ${slo.latencyThresholdMs} ms`, position: 'insideTopRight', fontSize: 11, fill: '#b91c1c' }} /> : null}
                  {markerLines}
                  <Line dataKey="p50" stroke="#059669" dot={false} isAnimationActive={false} connectNulls />
                  <Line dataKey="p95" stroke="#d97706" dot={false} strokeWidth={2} isAnimationActive={false} connectNulls />
                  <Line dataKey="p99" stroke="#7c3aed" dot={false} isAnimationActive={false} connectNulls />
                </LineChart>
              </ResponsiveContainer>
            </div>
          </figure>
        </div>
      )}
    </Widget>
  );
}

function failed(x: SecondStatsView, slo: SloView | null): number {
  const o = x.outcomes;
  return o.client + o.server + o.timeout + o.connection + o.dropped + (slo?.rateLimitedCountsAsSuccess ? 0 : o.rate_limited);
}

function ratio(xs: SecondStatsView[], slo: SloView | null): number | null {
  const done = xs.reduce((a, x) => a + x.offered, 0);
  if (!done) return null;
  return (100 * (done - xs.reduce((a, x) => a + failed(x, slo), 0))) / done;
}
