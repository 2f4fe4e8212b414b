import { useEffect, useState } from 'react';
import { api, ApiError, BackendDownError, errorText } from '../lib/api.ts';
import { selection } from '../lib/live.ts';
import { timeOfDay } from '../lib/format.ts';
import type { TraceDetail, TraceSummary } from '../lib/types.ts';
import { useLive, useStore } from './hooks.ts';
import { Widget } from './Widget.tsx';
import { TableHead } from './TableHead.tsx';

const serviceColor: Record<string, string> = { gateway: '#2563eb', api: '#d97706', inventory: '#059669' };

/** Trace search and a waterfall of one trace; linked both ways with LogPanel by trace id. */
export default function TraceView(props: { service?: string; minDurationMs?: number; errorsOnly?: boolean }) {
  const [q, setQ] = useState({
    service: props.service ?? '',
    minDurationMs: props.minDurationMs ? String(props.minDurationMs) : '',
    error: props.errorsOnly ?? false,
  });
  const [list, setList] = useState<TraceSummary[] | null>(null);
  const [detail, setDetail] = useState<TraceDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const sel = useStore(selection);
  const connection = useLive().connection;

  const search = async () => {
    try {
      const r = await api.traces({
        service: q.service || undefined,
        minDurationMs: q.minDurationMs ? Number(q.minDurationMs) : undefined,
        error: q.error || undefined,
        limit: 20,
      });
      setList(r.traces);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  const open = async (id: string) => {
    // A trace picked from an exemplar may still sit in the services' export batches: asked again for 5 s.
    for (let attempt = 0; ; attempt++) {
      try {
        setDetail(await api.trace(id));
        setError(null);
        return;
      } catch (err) {
        const arriving = err instanceof ApiError && err.status === 404 && attempt < 5;
        if (!arriving || selection.get().traceId !== id) return setError(err);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  useEffect(() => void search(), []);
  useEffect(() => {
    if (sel.traceId) void open(sel.traceId);
  }, [sel.traceId]);

  return (
    <Widget name="trace-view" title="Traces" down={error instanceof BackendDownError || connection === 'down'}>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void search();
        }}
      >
        <label>
          Service
          <select value={q.service} onChange={(e) => setQ({ ...q, service: e.target.value })}>
            {['', 'gateway', 'api', 'inventory'].map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Slower than (ms){' '}
          <input
            type="number"
            min={0}
            value={q.minDurationMs}
            onChange={(e) => setQ({ ...q, minDurationMs: e.target.value })}
          />
        </label>
        <label className="check">
          <input type="checkbox" checked={q.error} onChange={(e) => setQ({ ...q, error: e.target.checked })} /> errors
          only
        </label>
        <button type="submit">Search traces</button>
      </form>
      {error && !(error instanceof BackendDownError) ? (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {list ? (
        <div className="trace-list" role="region" aria-label="Trace search results" tabIndex={0}>
          <table>
            <TableHead columns={['Start', 'Root', 'Duration', 'Spans', 'Trace']} />
            <tbody>
              {list.length === 0 ? (
                <tr>
                  <td colSpan={5} className="muted">
                    No traces match.
                  </td>
                </tr>
              ) : null}
              {list.map((t) => (
                <tr key={t.traceId} className={t.error ? 'has-error' : ''}>
                  <td>{timeOfDay(t.startMs)}</td>
                  <td>
                    {t.rootService}: {t.rootName}
                    {t.error ? <span className="badge bad-badge">error</span> : null}
                  </td>
                  <td className="num">{t.durationMs.toFixed(1)} ms</td>
                  <td className="num">{t.spanCount}</td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      onClick={() => selection.update((s) => ({ ...s, traceId: t.traceId }))}
                      data-trace-link={t.traceId}
                    >
                      {t.traceId.slice(0, 8)}…<span className="visually-hidden"> open this trace</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {detail ? <Waterfall trace={detail} /> : null}
    </Widget>
  );
}

function Waterfall({ trace }: { trace: TraceDetail }) {
  const total = Math.max(trace.durationMs, 0.001);
  return (
    <div className="waterfall" data-trace-id={trace.traceId}>
      <div className="waterfall-head">
        <h4>
          Trace <code>{trace.traceId}</code> · {trace.durationMs.toFixed(1)} ms · {trace.spanCount} spans
        </h4>
        <button type="button" onClick={() => selection.update((s) => ({ ...s, logTraceId: trace.traceId }))}>
          Show this trace’s logs
        </button>
      </div>
      <ol className="spans">
        {trace.spans.map((s) => (
          <li key={s.spanId} className={s.status === 'error' ? 'span-error' : ''} title={s.statusMessage ?? ''}>
            <span className="span-name" style={{ paddingLeft: `${s.depth * 14}px` }}>
              <span className="svc" style={{ color: serviceColor[s.service] ?? '#374151' }}>
                {s.service}
              </span>{' '}
              {s.name}
            </span>
            <span className="span-track" aria-hidden="true">
              <span
                className="span-bar"
                style={{
                  left: `${(s.offsetMs / total) * 100}%`,
                  width: `${Math.max(0.5, (s.durationMs / total) * 100)}%`,
                  background: s.status === 'error' ? '#b91c1c' : (serviceColor[s.service] ?? '#6b7280'),
                }}
              />
            </span>
            <span className="span-dur num">
              {s.durationMs.toFixed(1)} ms{s.status === 'error' ? ' · error' : ''}
            </span>
          </li>
        ))}
      </ol>
    </div>
  );
}
