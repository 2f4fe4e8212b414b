import { useEffect, useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import { selection, tailLogs } from '../lib/live.ts';
import { timeOfDay } from '../lib/format.ts';
import type { LogEntry, LogLine } from '../lib/types.ts';
import { useLive, usePoll, useStore } from './hooks.ts';
import { Widget } from './Widget.tsx';
import { TableHead } from './TableHead.tsx';

/** A stored line (REST) or a live one (WebSocket): the fields both carry. */
type Row = Pick<LogEntry, 'id' | 'time' | 'service' | 'msg'> & { level: string; traceId?: string | null };
interface Filter {
  service: string;
  level: string;
  text: string;
  traceId: string;
}
const maxRows = 300;

/** Recent logs of the SUT: filter by service, level, text or trace id; live tail over the WebSocket. */
export default function LogPanel(props: { service?: string; level?: string; text?: string; traceId?: string }) {
  const [draft, setDraft] = useState<Filter>({
    service: props.service ?? '',
    level: props.level ?? '',
    text: props.text ?? '',
    traceId: props.traceId ?? '',
  });
  const [filter, setFilter] = useState<Filter>(draft);
  const [rows, setRows] = useState<Row[] | null>(null);
  const [services, setServices] = useState<string[]>(['gateway', 'api', 'inventory']);
  const [error, setError] = useState<unknown>(null);
  const [tail, setTail] = useState(false);
  const sel = useStore(selection);
  const connection = useLive().connection;

  // A trace picked in TraceView ("logs of this trace") becomes this panel's filter.
  useEffect(() => {
    if (!sel.logTraceId) return;
    const f = { ...filter, traceId: sel.logTraceId };
    setDraft(f);
    setFilter(f);
  }, [sel.logTraceId]);

  const query = async () => {
    try {
      const r = await api.logs({
        service: filter.service || undefined,
        level: filter.level || undefined,
        text: filter.text || undefined,
        traceId: filter.traceId || undefined,
        limit: 100,
      });
      setRows(r.entries);
      if (r.services.length) setServices(r.services);
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  usePoll(query, 10_000, !tail, [filter]);

  useEffect(() => {
    if (!tail) return;
    void query();
    return tailLogs(
      { service: filter.service || undefined, level: filter.level || undefined, text: filter.text || undefined },
      (line: LogLine) => {
        if (filter.traceId && line.traceId !== filter.traceId) return;
        setRows((prev) => [line, ...(prev ?? [])].slice(0, maxRows));
      },
    );
  }, [tail, filter]);

  const idp = 'logs';
  return (
    <Widget name="log-panel" title="Logs" down={error instanceof BackendDownError || connection === 'down'}>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        <label>
          Service
          <select value={draft.service} onChange={(e) => setDraft({ ...draft, service: e.target.value })}>
            <option value="">all</option>
            {services.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Level at least
          <select value={draft.level} onChange={(e) => setDraft({ ...draft, level: e.target.value })}>
            {['', 'debug', 'info', 'warn', 'error'].map((l) => (
              <option key={l} value={l}>
                {l || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Text <input type="search" value={draft.text} onChange={(e) => setDraft({ ...draft, text: e.target.value })} />
        </label>
        <label>
          Trace id{' '}
          <input
            value={draft.traceId}
            size={20}
            onChange={(e) => setDraft({ ...draft, traceId: e.target.value.trim() })}
            pattern="[0-9a-fA-F]{32}"
          />
        </label>
        <button type="submit">Search</button>
        <label className="check">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} /> Live tail
        </label>
      </form>
      {error && !(error instanceof BackendDownError) ? (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      <div className="log-table" role="region" aria-label="Log lines" tabIndex={0}>
        <table>
          <TableHead columns={['Time', 'Service', 'Level', 'Message', 'Trace']} />
          <tbody id={`${idp}-rows`}>
            {rows === null ? (
              <tr>
                <td colSpan={5} className="muted">
                  Loading…
                </td>
              </tr>
            ) : rows.length === 0 ? (
              <tr>
                <td colSpan={5} className="muted">
                  No log lines match.
                </td>
              </tr>
            ) : null}
            {(rows ?? []).map((r) => (
              <tr key={`${r.id}`} className={`level-${r.level}`}>
                <td>
                  <time dateTime={new Date(r.time).toISOString()}>{timeOfDay(r.time)}</time>
                </td>
                <td>{r.service}</td>
                <td>
                  <span className={`lvl lvl-${r.level}`}>{r.level}</span>
                </td>
                <td className="msg">{r.msg}</td>
                <td>
                  {r.traceId ? (
                    <button
                      type="button"
                      className="link"
                      onClick={() => selection.update((s) => ({ ...s, traceId: r.traceId! }))}
                      title="Open this trace in the trace view"
                      data-trace-link={r.traceId}
                    >
                      {r.traceId.slice(0, 8)}…<span className="visually-hidden"> open this trace</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Widget>
  );
}
