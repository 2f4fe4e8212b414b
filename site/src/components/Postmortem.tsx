import { useEffect, useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import { clock, timeOfDay } from '../lib/format.ts';
import type { Postmortem as PostmortemView } from '../lib/types.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';

/** A run's postmortem: outcome, stage times and the whole timeline; printable as a handout. */
export default function Postmortem(props: { runId?: string }) {
  const s = useLive();
  const [pm, setPm] = useState<PostmortemView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [none, setNone] = useState(false);
  const resolvedId = s.resolution?.runId;

  useEffect(() => {
    if (s.connection !== 'open') return;
    const fromUrl = typeof location !== 'undefined' ? new URLSearchParams(location.search).get('run') : null;
    const pick = async () => {
      const id = props.runId ?? fromUrl ?? resolvedId ?? (await api.runs(5)).runs.find((r) => r.endedAt !== null)?.id;
      if (!id) return setNone(true);
      setPm(await api.postmortem(id));
      setNone(false);
    };
    pick().then(() => setError(null), setError);
  }, [s.connection, props.runId, resolvedId]);

  return (
    <Widget
      name="postmortem"
      title="Postmortem"
      down={(s.connection === 'down' && !pm) || error instanceof BackendDownError}
      actions={
        pm ? (
          <button type="button" className="no-print" onClick={() => window.print()}>
            Print
          </button>
        ) : null
      }
    >
      {error && !(error instanceof BackendDownError) ? <p className="error">{errorText(error)}</p> : null}
      {none ? <p className="muted">No finished run yet. Finish an incident and its postmortem appears here.</p> : null}
      {pm ? (
        <article className="postmortem" data-outcome={pm.outcome} data-run-id={pm.runId}>
          <p>
            <strong>{pm.scenario?.title ?? 'Surprise incident'}</strong> · outcome{' '}
            <span className={`badge state-${pm.outcome}`}>{pm.outcome}</span>
            {pm.durationSeconds !== null ? <> · {clock(pm.durationSeconds)} from fault to end</> : null}
            <span className="muted"> · started {new Date(pm.startedAt).toLocaleString()}</span>
          </p>
          {pm.reason ? <p>{pm.reason}</p> : null}
          <dl className="stages">
            <div>
              <dt>Time to acknowledge the page</dt>
              <dd>{clock(pm.stageTimes.tta)}</dd>
            </div>
            <div>
              <dt>Time to detect</dt>
              <dd>{clock(pm.stageTimes.ttd)}</dd>
            </div>
            <div>
              <dt>Time to localize</dt>
              <dd>{clock(pm.stageTimes.ttl)}</dd>
            </div>
            <div>
              <dt>Time to diagnose</dt>
              <dd>{clock(pm.stageTimes.ttdx)}</dd>
            </div>
            <div>
              <dt>Time to mitigate</dt>
              <dd>{clock(pm.stageTimes.ttm)}</dd>
            </div>
          </dl>
          {pm.explanation ? (
            <>
              <h4>What happened</h4>
              <p className="prewrap">{pm.explanation}</p>
            </>
          ) : null}
          <h4>Timeline</h4>
          <ol className="timeline">
            {pm.timeline.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a postmortem's timeline is fixed once the run ended; never reordered.
              <li key={i} className={`tl-${e.type}`}>
                <span className="tl-offset num" title={timeOfDay(e.at)}>
                  {e.offsetSeconds >= 0 ? `+${clock(e.offsetSeconds)}` : `−${clock(-e.offsetSeconds)}`}
                </span>
                <span className="tl-type">{e.type.replace(/_/g, ' ')}</span>
                <span className="tl-msg">{e.message}</span>
              </li>
            ))}
          </ol>
        </article>
      ) : null}
    </Widget>
  );
}
