import { timeOfDay } from '../lib/format.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';
import { announcing, quietOnCall } from '../lib/on-call.ts';

const shown = new Set([
  'fault_applied',
  'slo_breached',
  'slo_recovered',
  'alert_firing',
  'alert_resolved',
  'alert_acknowledged',
  'alert_notified',
  'config_changed',
  'service_crashed',
  'service_restarted',
  'resolved',
  'expired',
  'abandoned',
  'aborted',
  'baseline_failed',
]);

/** Hints and notable run events as the platform pushes them, newest first. */
export default function HintFeed() {
  const s = useLive();
  // On call and not paged yet: the page is what tells the learner (hints and the fault's events wait for it).
  const quiet = quietOnCall(s.run, s.events);
  const items = [
    ...(quiet ? [] : s.hints.map((h) => ({ key: `h-${h.id}`, at: h.at, kind: 'hint', text: h.text }))),
    ...s.events
      .filter((e) => shown.has(e.type) && !(quiet && announcing.has(e.type)))
      .map((e) => ({ key: `e-${e.seq}`, at: e.at, kind: e.type, text: e.message })),
  ].sort((a, b) => b.at - a.at);
  return (
    <Widget name="hint-feed" title="Hints and events" down={s.connection === 'down' && items.length === 0}>
      <ol className="feed" aria-live="polite" aria-relevant="additions">
        {items.length === 0 ? (
          <li className="muted">
            Nothing yet. Hints arrive here while an incident runs, when the platform sees you might need one.
          </li>
        ) : null}
        {items.map((i) => (
          <li key={i.key} className={`feed-item kind-${i.kind}`} data-kind={i.kind}>
            <time dateTime={new Date(i.at).toISOString()}>{timeOfDay(i.at)}</time>
            <span className="feed-kind">{i.kind === 'hint' ? 'Hint' : i.kind.replace(/_/g, ' ')}</span>
            <span className="feed-text">{i.text}</span>
          </li>
        ))}
      </ol>
    </Widget>
  );
}
