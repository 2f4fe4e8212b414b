import { isActive } from '../lib/live.ts';
import { clock, stateLabel } from '../lib/format.ts';
import { useHydrated, useLive, useNow } from './hooks.ts';
import { orchestratorUrl, startCommand } from '../lib/config.ts';
import { quietOnCall } from '../lib/on-call.ts';

/** The persistent bar on every lesson page: connection, the current run, its state and SLO. */
export default function RunBar() {
  const s = useLive();
  const now = useNow();
  const hydrated = useHydrated();
  const run = s.run;
  const elapsed = run ? ((run.endedAt ?? now + s.clockSkewMs) - (run.injectedAt ?? run.startedAt)) / 1000 : null;
  return (
    <div
      className="run-bar"
      data-widget="run-bar"
      data-hydrated={hydrated ? 'true' : undefined}
      role="region"
      aria-label="Run status"
    >
      <span className={`dot conn-${s.connection}`} aria-hidden="true" />
      {s.connection === 'down' ? (
        <span>
          Backend not running at <code>{orchestratorUrl()}</code>: start it with <code>{startCommand}</code>
        </span>
      ) : s.connection === 'refused' ? (
        <span role="alert" data-refusal>
          The platform refused this browser: {s.refusal}
        </span>
      ) : s.connection === 'connecting' ? (
        <span>Connecting to the platform…</span>
      ) : run && quietOnCall(run, s.events) ? (
        <span className="run-bar-run" data-on-call>
          <strong>You are on call.</strong>
          <span className="badge state-on-call">quiet so far</span>
          <span className="muted">
            on call for {clock(((run.endedAt ?? now + s.clockSkewMs) - run.startedAt) / 1000)}
          </span>
        </span>
      ) : run ? (
        <span className="run-bar-run">
          <strong>{run.surprise && isActive(run) ? 'Surprise incident' : run.title}</strong>
          <span className={`badge state-${run.state}`}>{stateLabel[run.state]}</span>
          <span className="muted">
            {run.injectedAt ? 'since the fault' : 'elapsed'} {clock(elapsed)}
          </span>
          {run.state === 'injected' && run.sloMet !== null ? (
            <span className={run.sloMet ? 'ok' : 'bad'}>SLO {run.sloMet ? 'met' : 'breached'}</span>
          ) : null}
          {run.learnerChanges ? (
            <span className="muted">
              {run.learnerChanges} change{run.learnerChanges === 1 ? '' : 's'}
            </span>
          ) : null}
        </span>
      ) : (
        <span className="muted">Connected. No incident running.</span>
      )}
    </div>
  );
}
