import { useEffect, useState } from 'react';
import { api, ApiError, BackendDownError, errorText } from '../lib/api.ts';
import { applyRun, isActive, mergeRunHistory } from '../lib/live.ts';
import { clock, describeLoad, stateLabel } from '../lib/format.ts';
import type { PublicScenario } from '../lib/types.ts';
import { useLive, useNow } from './hooks.ts';
import { Widget } from './Widget.tsx';
import { quietOnCall } from '../lib/on-call.ts';

/**
 * Start, stop and reset a scenario run (or a surprise run from a seed); shows its state, elapsed time and story.
 * `page`: the learner goes on call; the site keeps the incident to itself until an alert rule pages.
 */
export default function ScenarioRunner(props: { scenario?: string; surprise?: boolean; page?: boolean }) {
  const s = useLive();
  const now = useNow();
  const [scenario, setScenario] = useState<PublicScenario | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const [seed, setSeed] = useState('');

  useEffect(() => {
    if (!props.scenario || s.connection !== 'open' || scenario) return;
    api.scenario(props.scenario).then(setScenario, setLoadError);
  }, [props.scenario, s.connection, scenario]);

  const down = s.connection === 'down' || loadError instanceof BackendDownError;
  const run = s.run;
  const active = isActive(run);
  const mine = run && (props.surprise ? run.surprise : run.scenarioId === props.scenario);
  const elapsed = run ? ((run.endedAt ?? now + s.clockSkewMs) - run.startedAt) / 1000 : null;
  const sinceFault = run?.injectedAt ? ((run.endedAt ?? now + s.clockSkewMs) - run.injectedAt) / 1000 : null;
  const resolution = run && s.resolution?.runId === run.id ? s.resolution : null;
  const quiet = quietOnCall(run, s.events);

  const act = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(null);
    try {
      await fn();
    } catch (err) {
      setActionError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const start = () =>
    act(async () => {
      const seedNum = seed.trim() === '' ? undefined : Number(seed);
      const onCall = props.page ? { onCall: true } : {};
      const run = await api.startRun(
        props.surprise
          ? { surprise: true, ...(seedNum === undefined ? {} : { seed: seedNum }), ...onCall }
          : { scenarioId: props.scenario!, ...onCall },
      );
      applyRun(run);
      const current = await api.activeRun();
      if (current.run?.id === run.id) mergeRunHistory(run.id, current.events, current.hints);
    });
  const stop = () => act(async () => run && applyRun(await api.stopRun(run.id)));
  const reset = () => act(() => api.reset());

  const title = props.surprise ? 'Surprise incident' : (scenario?.title ?? props.scenario ?? 'Scenario');
  return (
    <Widget name="scenario-runner" title={<>Run: {title}</>} down={down}>
      {loadError && !down ? (
        loadError instanceof ApiError && loadError.status === 404 ? (
          <p className="warn">
            The platform has no scenario <code>{props.scenario}</code> yet: save{' '}
            <code>scenarios/{props.scenario}.yaml</code> and restart it (<code>npm start</code>).
          </p>
        ) : (
          <p className="error" role="alert">
            Could not load the scenario: {errorText(loadError)}
          </p>
        )
      ) : null}
      {scenario ? (
        <div className="story">
          <p className="meta">
            {scenario.difficulty} · about {scenario.estimatedMinutes} min · SLO: {scenario.slo.successPct} % of requests
            succeed and p{scenario.slo.latencyPercentile} latency stays under {scenario.slo.latencyThresholdMs} ms
          </p>
          <blockquote>{scenario.story}</blockquote>
        </div>
      ) : null}
      {props.surprise ? (
        <p className="field-inline">
          <label htmlFor="surprise-seed">Seed (optional; the same seed replays the same incident)</label>
          <input
            id="surprise-seed"
            inputMode="numeric"
            pattern="[0-9]*"
            value={seed}
            onChange={(e) => setSeed(e.target.value)}
            placeholder="e.g. 42"
          />
        </p>
      ) : null}
      <div className="run-status" aria-live="polite">
        {run && quiet ? (
          <p data-on-call>
            <span className="badge state-on-call" data-run-state="on-call">
              on call
            </span>{' '}
            <span className="muted">
              for {clock(elapsed)}. Nothing has paged you yet: keep an eye on the pager, and on the dashboards if you
              like.
            </span>
          </p>
        ) : run ? (
          <p>
            <span className={`badge state-${run.state}`} data-run-state={run.state}>
              {stateLabel[run.state]}
            </span>{' '}
            {mine ? null : <span>{run.surprise ? 'a surprise incident' : run.title} </span>}
            <span className="muted">
              elapsed {clock(elapsed)}
              {sinceFault !== null ? ` · ${clock(sinceFault)} since the fault` : ''}
            </span>
            {run.state === 'injected' && run.sloMet !== null ? (
              <span className={run.sloMet ? 'ok' : 'bad'}> · SLO {run.sloMet ? 'met' : 'breached'}</span>
            ) : null}
          </p>
        ) : null}
        {run?.load && !quiet ? (
          <p className="muted" data-run-load>
            {describeLoad(run.load)}
          </p>
        ) : null}
        {run ? null : props.page ? (
          <p className="muted">
            No run yet. Going on call starts the shop's everyday traffic; nothing announces an incident but the pager.
          </p>
        ) : (
          <p className="muted">No run yet. Starting one measures a healthy baseline first, then the incident begins.</p>
        )}
        {active && !mine ? <p className="warn">Another run is active; stop it before starting this one.</p> : null}
        {run && !active && run.reason ? <p className="muted">{run.reason}</p> : null}
        {resolution ? (
          <div className={`resolution outcome-${resolution.outcome}`}>
            <p>
              <strong>{resolution.outcome === 'resolved' ? 'Resolved.' : `Run ${resolution.outcome}.`}</strong>{' '}
              {resolution.explanation}
            </p>
            <p>
              <a href={`${import.meta.env.BASE_URL.replace(/\/$/, '')}/postmortem/?run=${resolution.runId}`}>
                Open the postmortem
              </a>
            </p>
          </div>
        ) : null}
      </div>
      <div className="buttons">
        <button
          type="button"
          className="primary"
          onClick={start}
          disabled={busy || active || (!props.surprise && !scenario)}
        >
          {props.page ? 'Go on call' : props.surprise ? 'Start a surprise incident' : 'Start the incident'}
        </button>
        <button type="button" onClick={stop} disabled={busy || !active}>
          Stop
        </button>
        {/* Not offered during a run: resetting every knob would fix the incident without finding it. */}
        {active ? null : (
          <button type="button" onClick={reset} disabled={busy}>
            Reset the shop
          </button>
        )}
      </div>
      {actionError ? (
        <p className="error" role="alert">
          {actionError}
        </p>
      ) : null}
    </Widget>
  );
}
