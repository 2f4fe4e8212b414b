import { useEffect, useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import { timeOfDay } from '../lib/format.ts';
import type { ChangeEntry } from '../lib/types.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The shop's change log, as a team keeps one: deploys and config pushes with time, service and author. "What
 * changed?" is on-call's first question; the answer still has to be matched with the metrics.
 */
export default function ChangeLog() {
  const s = useLive();
  const [changes, setChanges] = useState<ChangeEntry[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  // Reloaded when the run moves on or its timeline grows (a fault, a fix), and every 10 s for the rest.
  const trigger = `${s.connection}:${s.run?.state}:${s.events.length}`;
  useEffect(() => {
    if (!trigger.startsWith('open')) return;
    const load = () =>
      api.changes().then((r) => {
        setChanges(r.changes);
        setError(null);
      }, setError);
    void load();
    const timer = setInterval(load, 10_000);
    return () => clearInterval(timer);
  }, [trigger]);
  const down = (s.connection === 'down' && !changes) || error instanceof BackendDownError;
  return (
    <Widget name="change-log" title="Change log" down={down}>
      {error && !down ? (
        <p className="error" role="alert">
          {errorText(error)}
        </p>
      ) : null}
      {changes && changes.length === 0 ? <p className="muted">No deploys or config changes yet.</p> : null}
      {changes && changes.length > 0 ? (
        <ol className="change-log">
          {changes.map((c) => (
            <li key={c.id} data-kind={c.kind} data-service={c.service}>
              <span className="num muted">{timeOfDay(c.at)}</span>{' '}
              <span className={`badge kind-${c.kind}`}>{c.kind}</span> <strong>{c.summary}</strong>{' '}
              <span className="muted">by {c.by}</span>
              <span className="change-diff">
                {c.changes.map((d) => `${d.key}: ${show(d.from)} → ${show(d.to)}`).join(', ')}
              </span>
            </li>
          ))}
        </ol>
      ) : null}
    </Widget>
  );
}
