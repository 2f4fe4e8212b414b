import { useEffect, useMemo, useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import { formatUnit, legendFor } from '../lib/format.ts';
import { LazyChart } from './LazyChart.tsx';
import type { PanelData, PanelMeta } from '../lib/types.ts';
import { useLive, usePoll } from './hooks.ts';
import { selection } from '../lib/live.ts';
import { toExemplarPoints, type ExemplarPoint } from '../lib/exemplars.ts';
import { useVisible } from './use-visible.ts';
import { Widget } from './Widget.tsx';

export const seriesColors = ['#2563eb', '#d97706', '#7c3aed', '#059669', '#db2777', '#0891b2', '#65a30d', '#dc2626'];
const thresholdColor = { green: '#15803d', orange: '#c2410c', red: '#b91c1c' } as const;

interface Props {
  meta: PanelMeta;
  /** `/d-solo/...` address of the same panel in Grafana, when the site was built with PUBLIC_GRAFANA_URL. */
  grafanaSrc?: string | null;
  /** Minutes of history drawn. */
  minutes?: number;
  height?: number;
}

/** A catalog panel: the real Grafana panel when Grafana answers, otherwise drawn here from the embedded hub. */
export default function Panel({ meta, grafanaSrc, minutes = 5, height = 220 }: Props) {
  const [ref, visible] = useVisible<HTMLDivElement>();
  const [data, setData] = useState<PanelData | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [grafanaOk, setGrafanaOk] = useState(false);
  const [points, setPoints] = useState<ExemplarPoint[]>([]);
  // Latency panels over the services' request histogram show its exemplars: sampled requests, each a trace.
  const exemplarExpr = meta.queries.find((q) => q.exemplars)?.expr;

  useEffect(() => {
    if (!grafanaSrc) return;
    // An opaque no-cors answer is enough to know Grafana is up; an unreachable host rejects.
    fetch(new URL('/api/health', grafanaSrc), { mode: 'no-cors' }).then(
      () => setGrafanaOk(true),
      () => setGrafanaOk(false),
    );
  }, [grafanaSrc]);

  usePoll(
    async () => {
      const end = Date.now() / 1000;
      try {
        setData((await api.panelData(meta.id, end - minutes * 60, end, minutes <= 5 ? 2 : 5)).data);
        setError(null);
        if (exemplarExpr)
          // One point per `minutes` seconds of the window (5 s slots over 5 minutes: 60 at most).
          setPoints(toExemplarPoints((await api.exemplars(exemplarExpr, end - minutes * 60, end)).data, minutes));
      } catch (err) {
        setError(err);
      }
    },
    5000,
    visible && !grafanaOk,
    [meta.id, minutes],
  );

  const { rows, series } = useMemo(() => toRows(data), [data]);
  const connection = useLive().connection;
  const down = error instanceof BackendDownError || (connection === 'down' && rows.length === 0);
  const lines = (meta.thresholds ?? []).filter((t) => t.value !== null);
  return (
    <Widget
      name="panel"
      title={meta.title}
      down={down}
      className={`panel-${meta.id}`}
      footer={
        <details className="panel-help">
          <summary>What this shows, and its query</summary>
          <p>{meta.help.shows}</p>
          <p>
            <strong>Healthy:</strong> {meta.help.healthy}
          </p>
          <p>
            <strong>Problem:</strong> {meta.help.problem}
          </p>
          {meta.queries.map((q) => (
            <pre key={q.expr} className="query">
              <code>{q.expr}</code>
            </pre>
          ))}
          <p className="muted">
            Read from {data?.source === 'prometheus' ? 'Prometheus' : "the platform's embedded telemetry hub"}.
          </p>
        </details>
      }
    >
      <div
        ref={ref}
        data-panel-id={meta.id}
        data-series={series.length}
        data-points={rows.length}
        data-exemplars={exemplarExpr ? points.length : undefined}
      >
        {grafanaOk && grafanaSrc ? (
          <iframe
            className="grafana"
            src={grafanaSrc}
            title={`${meta.title} (Grafana)`}
            height={height}
            loading="lazy"
          />
        ) : meta.kind === 'stat' ? (
          <p className="stat-value">
            {series.length
              ? series.map((s) => `${s.name}: ${formatUnit(lastValue(rows, s.key), meta.unit)}`).join(' · ')
              : 'no data yet'}
          </p>
        ) : rows.length === 0 ? (
          <div className="chart" style={{ height }}>
            <p className="muted chart-empty">
              {error ? `No data: ${errorText(error)}` : data ? 'No data in this window yet.' : 'Loading…'}
            </p>
          </div>
        ) : (
          <LazyChart
            rows={rows}
            height={height}
            legend={series.length > 1}
            format={(v) => formatUnit(v, meta.unit)}
            series={series.map((x, i) => ({ ...x, color: seriesColors[i % seriesColors.length] }))}
            yDomain={meta.unit === 'percentunit' ? [(min: number) => Math.min(min, 0.9), 1] : [0, 'auto']}
            hLines={lines.map((t) => ({ y: t.value!, color: thresholdColor[t.color] }))}
            points={points}
            onPoint={(traceId) => {
              selection.update((s) => ({ ...s, traceId }));
              // The trace view of the same tab opens it; bring it into sight.
              ref.current
                ?.closest('[role="tabpanel"]')
                ?.querySelector('[data-widget="trace-view"]')
                ?.scrollIntoView({ behavior: 'smooth', block: 'start' });
            }}
          />
        )}
      </div>
    </Widget>
  );
}

function toRows(data: PanelData | null): { rows: Record<string, number>[]; series: { key: string; name: string }[] } {
  if (!data) return { rows: [], series: [] };
  const byT = new Map<number, Record<string, number>>();
  const series: { key: string; name: string }[] = [];
  for (const r of data.results) {
    for (const m of r.data.result ?? []) {
      const key = `s${series.length}`;
      series.push({ key, name: legendFor(r.legend, m.metric) });
      for (const [t, v] of m.values) {
        const row = byT.get(t) ?? { t };
        const n = Number(v);
        if (Number.isFinite(n)) row[key] = n;
        byT.set(t, row);
      }
    }
  }
  return { rows: [...byT.values()].sort((a, b) => a.t - b.t), series };
}

function lastValue(rows: Record<string, number>[], key: string): number {
  for (let i = rows.length - 1; i >= 0; i--) if (rows[i][key] !== undefined) return rows[i][key];
  return NaN;
}
