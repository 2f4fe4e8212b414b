import { useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import {
  ageLabel,
  blockingLabel,
  keyedLocks,
  locksSummary,
  orderBackends,
  orderLocks,
  shortStatement,
  waitLabel,
  waitsForLabel,
} from '../lib/db-activity.ts';
import { timeOfDay } from '../lib/format.ts';
import { isActive } from '../lib/live.ts';
import { terminateText } from '../lib/service-actions.ts';
import type { DbActivityView } from '../lib/types.ts';
import { useLive, usePoll } from './hooks.ts';
import { useVisible } from './use-visible.ts';
import { Widget } from './Widget.tsx';
import { ConfirmAction, OutcomeLine, type Outcome } from './action-controls.tsx';
import { TableHead } from './TableHead.tsx';

/**
 * The DB view: the shop database's client backends as `pg_stat_activity` shows them, who blocks whom
 * (`pg_blocking_pids`), the locks behind it, and Terminate (`pg_terminate_backend`) with an inline confirmation.
 * Refreshed every 2 s while on screen. Nothing here says which backend is "the problem": the learner reads it.
 */
export default function DbActivity() {
  const s = useLive();
  const [ref, visible] = useVisible<HTMLDivElement>();
  const [view, setView] = useState<DbActivityView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const load = async () => {
    try {
      setView(await api.dbActivity());
      setError(null);
    } catch (err) {
      setError(err);
    }
  };
  usePoll(load, 2000, visible);

  const terminate = async (pid: number) => {
    setConfirming(null);
    setBusy(pid);
    setOutcome({ kind: 'pending', text: `Terminating backend ${pid}…` });
    try {
      const t = await api.terminateBackend(pid);
      setOutcome({
        kind: 'ok',
        text: `${terminateText(t)}${isActive(s.run) ? ' It is on the run’s timeline.' : ''}`,
      });
    } catch (err) {
      setOutcome({ kind: 'error', text: `Could not terminate backend ${pid}: ${errorText(err)}` });
    } finally {
      setBusy(null);
      await load();
    }
  };

  const down = error instanceof BackendDownError || (s.connection === 'down' && !view);
  const backends = view ? orderBackends(view.backends) : [];
  const locks = view ? orderLocks(view.locks) : [];
  return (
    <div ref={ref}>
      <Widget
        name="db-activity"
        title="DB view: connections to the shop database"
        down={down}
        actions={
          <button type="button" onClick={() => void load()} aria-label="Refresh the DB view">
            Refresh
          </button>
        }
      >
        {view ? (
          <p className="meta">
            Database <code>{view.database}</code> ·{' '}
            <time dateTime={new Date(view.at).toISOString()}>as of {timeOfDay(view.at)}</time> · refreshed every 2 s
            while on screen
          </p>
        ) : null}
        {error ? (
          <p className="error" role="alert" data-load-error="">
            {errorText(error)}
          </p>
        ) : null}
        <OutcomeLine outcome={outcome ?? undefined} name="terminate" />
        {!view && !error ? <p className="muted">Loading…</p> : null}
        {view && backends.length === 0 ? (
          <p className="muted" data-empty="">
            No client connections to the shop database.
          </p>
        ) : null}
        {backends.length > 0 ? (
          <div className="log-table" role="region" aria-label="Database backends" tabIndex={0}>
            <table data-backends={backends.length}>
              <TableHead
                columns={['PID', 'Application', 'State', 'Wait', 'Transaction age', 'Blocking', 'Statement']}
                actions
              />
              <tbody>
                {backends.map((b) => {
                  const blocking = blockingLabel(b);
                  const waits = waitsForLabel(b);
                  const stmt = shortStatement(b.query);
                  return (
                    <tr
                      key={b.pid}
                      className={blocking ? 'db-blocking has-error' : waits ? 'db-waiting' : undefined}
                      data-pid={b.pid}
                      data-blocking={b.blocking.length || undefined}
                      data-waits-for={b.blockedBy.join(' ') || undefined}
                    >
                      <td className="num">{b.pid}</td>
                      <td>
                        {b.application || <span className="muted">(none)</span>}
                        <span className="muted"> · {b.user}</span>
                      </td>
                      <td>{b.state ?? '–'}</td>
                      <td>{waitLabel(b)}</td>
                      <td className="num" title={`statement running for ${ageLabel(b.queryAgeS)}`}>
                        {ageLabel(b.xactAgeS)}
                      </td>
                      <td>
                        {blocking ? <span className="badge bad-badge">{blocking}</span> : null}
                        {waits ? <span className="badge state-on-call">{waits}</span> : null}
                        {!blocking && !waits ? <span className="muted">–</span> : null}
                      </td>
                      <td className="msg">
                        {stmt.truncated ? (
                          <details>
                            <summary title={b.query}>{stmt.text}</summary>
                            <code className="query">{b.query}</code>
                          </details>
                        ) : (
                          stmt.text || <span className="muted">(no statement)</span>
                        )}
                      </td>
                      <td>
                        <ConfirmAction
                          confirming={confirming === b.pid}
                          what={`terminate ${b.pid}`}
                          ask={busy === b.pid ? 'Terminating…' : 'Terminate'}
                          askLabel={`Terminate backend ${b.pid}`}
                          disabled={busy !== null}
                          onAsk={() => setConfirming(b.pid)}
                          onConfirm={() => void terminate(b.pid)}
                          onCancel={() => setConfirming(null)}
                        />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
        {view ? (
          <details className="panel-help" data-locks={locks.length}>
            <summary>{locksSummary(locks)}</summary>
            {locks.length === 0 ? (
              <p className="muted">No locks held or awaited by these backends.</p>
            ) : (
              <div className="log-table" role="region" aria-label="Locks" tabIndex={0}>
                <table>
                  <TableHead columns={['PID', 'Relation', 'Lock type', 'Mode', 'Granted']} />
                  <tbody>
                    {keyedLocks(locks).map(({ key, lock: l }) => (
                      <tr key={key} className={l.granted ? undefined : 'db-waiting'}>
                        <td className="num">{l.pid}</td>
                        <td>{l.relation ?? <span className="muted">–</span>}</td>
                        <td>{l.locktype}</td>
                        <td>{l.mode}</td>
                        <td>{l.granted ? 'granted' : <strong className="warn">waiting</strong>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </details>
        ) : null}
      </Widget>
    </div>
  );
}
