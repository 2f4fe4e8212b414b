import { clock, timeOfDay } from '../lib/format.ts';
import type { RunEvent, RunView } from '../lib/types.ts';
import { useLive } from './hooks.ts';
import { Widget } from './Widget.tsx';
import { announcing, quietOnCall } from '../lib/on-call.ts';

export const stageLabels = {
  detect: 'Detect (TTD)',
  localize: 'Localize (TTL)',
  diagnose: 'Diagnose (TTDx)',
  fix: 'Fix (TTM)',
} as const;

/** The current (or last) run's events, timed from the fault, with its stage times. */
export default function Timeline() {
  const s = useLive();
  return (
    <Widget name="timeline" title="Timeline" down={s.connection === 'down' && !s.run}>
      {s.run && quietOnCall(s.run, s.events) ? (
        // On call and not paged yet: the timeline keeps the incident to itself (its events, the fault's time).
        <TimelineBody run={{ ...s.run, injectedAt: null }} events={s.events.filter((e) => !announcing.has(e.type))} />
      ) : s.run ? (
        <TimelineBody run={s.run} events={s.events} />
      ) : (
        <p className="muted">No run yet.</p>
      )}
    </Widget>
  );
}

export function TimelineBody({ run, events }: { run: RunView; events: RunEvent[] }) {
  const t0 = run.injectedAt ?? run.startedAt;
  return (
    <>
      <dl className="stages">
        {(Object.keys(stageLabels) as (keyof typeof stageLabels)[]).map((k) => (
          <div key={k}>
            <dt>{stageLabels[k]}</dt>
            <dd>{run.stageTimes[k] === null ? '–' : clock(run.stageTimes[k])}</dd>
          </div>
        ))}
      </dl>
      <ol className="timeline" data-run-id={run.id}>
        {events.map((e) => (
          <li key={e.seq} className={`tl-${e.type}`} data-type={e.type}>
            <span className="tl-offset num" title={timeOfDay(e.at)}>
              {e.at >= t0 ? `+${clock((e.at - t0) / 1000)}` : `−${clock((t0 - e.at) / 1000)}`}
            </span>
            <span className="tl-type">{e.type.replace(/_/g, ' ')}</span>
            <span className="tl-msg">{e.message}</span>
          </li>
        ))}
      </ol>
    </>
  );
}
