import { useEffect, useState } from 'react';
import { api, errorText } from '../lib/api.ts';
import { clock, timeOfDay } from '../lib/format.ts';
import { isActive } from '../lib/live.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';

const isPage = (labels: Record<string, string>) => labels.severity === 'page';

/** The browser's Notification API where it exists (not in every browser, and not on http:// outside localhost). */
const notifications = () => (typeof Notification === 'undefined' ? null : Notification);
/** Pages already notified in this tab, as `run:seq` (a lesson may show the pager twice: one notification). */
const notified = new Set<string>();

/**
 * The learner's pager: the alerts firing now (pages first, then cause-level warnings) with their summary, since
 * when, and runbook; Acknowledge answers the active run's page and shows the time to acknowledge.
 */
export default function Pager() {
  const s = useLive();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const alerts = [...s.firing].sort((a, b) => Number(isPage(b.labels)) - Number(isPage(a.labels)) || a.at - b.at);
  const lastPage = s.events.findLast((e) => e.type === 'alert_firing' && e.data.severity === 'page');
  const lastAck = s.events.findLast((e) => e.type === 'alert_acknowledged');
  const unacknowledged = !!lastPage && (!lastAck || lastAck.seq < lastPage.seq);
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>('unsupported');
  useEffect(() => setPermission(notifications()?.permission ?? 'unsupported'), []);
  // Each new page reaches the learner outside the tab too, as a desktop notification, once they allowed it.
  useEffect(() => {
    const N = notifications();
    for (const page of s.events) {
      const key = `${page.runId}:${page.seq}`;
      if (page.type !== 'alert_firing' || page.data.severity !== 'page' || notified.has(key)) continue;
      notified.add(key);
      // A page from before a reload is not news.
      if (Date.now() - page.at > 60_000 || !N || N.permission !== 'granted') continue;
      const n = new N(`Paged: ${page.data.alertname}`, {
        body: page.data.annotations.summary ?? page.message,
        tag: `observastack-page-${key}`,
        requireInteraction: true,
      });
      n.onclick = () => {
        window.focus();
        n.close();
      };
    }
  }, [s.events]);
  const allow = async () => {
    const N = notifications();
    if (N) setPermission(await N.requestPermission());
  };
  const acknowledge = async () => {
    if (!s.run) return;
    setBusy(true);
    setError(null);
    try {
      await api.acknowledgePage(s.run.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const actions =
    isActive(s.run) && unacknowledged ? (
      <button type="button" className="primary" onClick={() => void acknowledge()} disabled={busy}>
        Acknowledge
      </button>
    ) : null;
  return (
    <Widget
      name="pager"
      title={unacknowledged ? 'Pager: you are paged' : 'Pager'}
      actions={actions}
      down={s.connection === 'down' && alerts.length === 0}
    >
      {lastAck ? (
        <p className="muted" data-testid="pager-tta">
          Acknowledged after {clock(lastAck.data.ttaSeconds)}.
        </p>
      ) : null}
      {error ? <p role="alert">{error}</p> : null}
      {permission === 'default' ? (
        <p className="muted">
          <button type="button" onClick={() => void allow()} data-testid="pager-allow-notifications">
            Notify me
          </button>{' '}
          as a desktop notification when a page arrives, even when this tab is in the background.
        </p>
      ) : permission === 'granted' ? (
        <p className="muted" data-testid="pager-notifications-on">
          Desktop notifications are on.
        </p>
      ) : null}
      <ul className="feed" aria-live="assertive" aria-relevant="additions">
        {alerts.length === 0 ? <li className="muted">No alert is firing.</li> : null}
        {alerts.map((a) => (
          <li
            key={`${a.alertname}-${a.seq}`}
            className={`feed-item kind-alert-${a.labels.severity ?? 'none'}`}
            data-alertname={a.alertname}
          >
            <time dateTime={new Date(a.at).toISOString()}>since {timeOfDay(a.at)}</time>
            <span className="feed-kind">
              {a.labels.severity ?? 'alert'}: {a.alertname}
            </span>
            <span className="feed-text">
              {a.annotations.summary ?? ''}
              {a.annotations.runbook_url ? (
                <>
                  {' '}
                  (<a href={a.annotations.runbook_url}>runbook</a>)
                </>
              ) : null}
            </span>
          </li>
        ))}
      </ul>
    </Widget>
  );
}
