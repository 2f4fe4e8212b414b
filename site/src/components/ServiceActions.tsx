import { useEffect, useState } from 'react';
import { api, BackendDownError, errorText } from '../lib/api.ts';
import { timeOfDay } from '../lib/format.ts';
import { isActive } from '../lib/live.ts';
import { jobSince, restartText, rolloutText, stopJobText } from '../lib/service-actions.ts';
import type { JobView, ReleasesView } from '../lib/types.ts';
import { useLive, usePoll } from './hooks.ts';
import { useVisible } from './use-visible.ts';
import { Widget } from './Widget.tsx';
import { ConfirmAction, OutcomeLine, type Outcome } from './action-controls.tsx';
import { TableHead } from './TableHead.tsx';

type ServiceName = 'gateway' | 'api' | 'inventory';

/** Only `api` has releases (GET /api/services/:name/releases answers 404 for the others). */
const releasedService = 'api';

/**
 * Fix actions beyond config knobs: restart a service, roll a release of `api` out (or back), stop a background job.
 * Each is recorded on the active run's timeline; whether it fixed anything is for the metrics to show. Nothing here
 * marks a release, a job or a service as the healthy or the broken one: the evidence elsewhere does.
 */
export default function ServiceActions(props: { services?: ServiceName[]; releases?: boolean; jobs?: boolean }) {
  const services = props.services ?? (['gateway', 'api', 'inventory'] as const);
  const s = useLive();
  const [ref, visible] = useVisible<HTMLDivElement>();
  const [releases, setReleases] = useState<ReleasesView | null>(null);
  const [releasesError, setReleasesError] = useState<unknown>(null);
  const [jobs, setJobs] = useState<JobView[] | null>(null);
  const [jobsError, setJobsError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState<ServiceName | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome>>({});
  const onTimeline = () => (isActive(s.run) ? ' It is on the run’s timeline.' : '');
  const setOutcome = (key: string, o: Outcome) => setOutcomes((prev) => ({ ...prev, [key]: o }));

  const loadReleases = async () => {
    try {
      setReleases(await api.releases(releasedService));
      setReleasesError(null);
    } catch (err) {
      setReleasesError(err);
    }
  };
  const loadJobs = async () => {
    try {
      setJobs((await api.jobs()).jobs);
      setJobsError(null);
    } catch (err) {
      setJobsError(err);
    }
  };
  // Releases change only by a rollout (this widget's or the scenario's): reloaded when the run moves on.
  useEffect(() => {
    if (props.releases) void loadReleases();
  }, [props.releases, s.connection, s.run?.state]);
  // A job can start at any time (a scheduled batch): polled every 5 s while on screen.
  usePoll(loadJobs, 5000, !!props.jobs && visible);

  /** Runs one action at a time: every action button waits while one is under way. */
  const act = async (
    key: string,
    pending: string,
    failed: string,
    action: () => Promise<string>,
    after?: () => Promise<void>,
  ) => {
    setBusy(key);
    setOutcome(key, { kind: 'pending', text: pending });
    try {
      setOutcome(key, { kind: 'ok', text: `${await action()}${onTimeline()}` });
    } catch (err) {
      setOutcome(key, { kind: 'error', text: `${failed}: ${errorText(err)}` });
    } finally {
      setBusy(null);
      await after?.();
    }
  };
  const restart = (name: ServiceName) => {
    setConfirming(null);
    return act(`restart:${name}`, `${name}: restarting…`, `Could not restart ${name}`, async () =>
      restartText(await api.restart(name)),
    );
  };
  const rollOut = (version: string) =>
    act(
      'release',
      'rolling out: new process starting, old one draining…',
      `Could not roll out ${version}`,
      async () => rolloutText(await api.release(releasedService, version)),
      loadReleases,
    );
  const stopJob = (name: string) =>
    act(
      'job',
      `${name}: stopping…`,
      `Could not stop ${name}`,
      async () => stopJobText(await api.stopJob(name)),
      loadJobs,
    );

  // Named by what it offers: two of these on one page are two landmarks, and need two names.
  const title = `Actions: ${[
    services.length ? `restart ${services.join(', ')}` : null,
    props.releases ? `${releasedService} releases` : null,
    props.jobs ? 'background jobs' : null,
  ]
    .filter(Boolean)
    .join('; ')}`;
  const loaded = releases !== null || jobs !== null;
  const down =
    releasesError instanceof BackendDownError ||
    jobsError instanceof BackendDownError ||
    (s.connection === 'down' && !loaded);
  return (
    <div ref={ref}>
      <Widget name="service-actions" title={title} down={down}>
        {services.length > 0 ? (
          <div data-section="restart">
            <h4>Restart a service</h4>
            <p className="muted">A new process replaces the running one; its connections and in-memory state go.</p>
            <ul className="change-log">
              {services.map((name) => {
                const pid = s.services.find((x) => x.name === name)?.pid;
                return (
                  <li key={name} data-service={name}>
                    <div className="field-inline">
                      <strong>
                        <code>{name}</code>
                      </strong>
                      {pid ? <span className="muted num">pid {pid}</span> : null}
                      <ConfirmAction
                        confirming={confirming === name}
                        what={`restart ${name}`}
                        ask={`Restart ${name}`}
                        confirmText="Confirm restart"
                        disabled={busy !== null}
                        onAsk={() => setConfirming(name)}
                        onConfirm={() => void restart(name)}
                        onCancel={() => setConfirming(null)}
                      />
                    </div>
                    <OutcomeLine outcome={outcomes[`restart:${name}`]} name={`restart-${name}`} />
                  </li>
                );
              })}
            </ul>
          </div>
        ) : null}

        {props.releases ? (
          <div data-section="releases">
            <h4>
              Releases of <code>{releasedService}</code>
            </h4>
            {releasesError ? (
              <p className="error" role="alert">
                {errorText(releasesError)}
              </p>
            ) : null}
            {releases ? (
              <>
                <p>
                  Serving now: <strong data-current-release="">{releases.current}</strong>
                </p>
                <ol className="change-log">
                  {releases.releases.map((r) => (
                    <li key={r.version} data-release={r.version}>
                      <div className="field-inline">
                        <strong>
                          <code>{r.version}</code>
                        </strong>
                        {r.current ? <span className="badge">serving now</span> : null}
                        {r.current ? null : (
                          <button type="button" onClick={() => void rollOut(r.version)} disabled={busy !== null}>
                            Roll out {r.version}
                          </button>
                        )}
                      </div>
                      <p className="prewrap">{r.notes}</p>
                    </li>
                  ))}
                </ol>
              </>
            ) : !releasesError ? (
              <p className="muted">Loading…</p>
            ) : null}
            <OutcomeLine outcome={outcomes.release} name="release" />
          </div>
        ) : null}

        {props.jobs ? (
          <div data-section="jobs">
            <h4>Background jobs</h4>
            {jobsError ? (
              <p className="error" role="alert">
                {errorText(jobsError)}
              </p>
            ) : null}
            {jobs && jobs.length === 0 ? <p className="muted">No background jobs.</p> : null}
            {jobs && jobs.length > 0 ? (
              <div className="log-table">
                <table>
                  <TableHead columns={['Job', 'Description', 'State', 'Since']} actions />
                  <tbody>
                    {jobs.map((j) => {
                      const since = jobSince(j);
                      return (
                        <tr key={j.name} data-job={j.name} data-state={j.state}>
                          <td>
                            <code>{j.name}</code>
                          </td>
                          <td>{j.description}</td>
                          <td>
                            {j.state}
                            {j.pid && j.state === 'running' ? <span className="muted num"> · pid {j.pid}</span> : null}
                            {j.lastExit && j.state !== 'running' ? (
                              <span className="muted"> · {j.lastExit}</span>
                            ) : null}
                          </td>
                          <td className="num">
                            {since === null ? (
                              '–'
                            ) : (
                              <time dateTime={new Date(since).toISOString()}>{timeOfDay(since)}</time>
                            )}
                          </td>
                          <td>
                            {j.state === 'running' ? (
                              <button type="button" onClick={() => void stopJob(j.name)} disabled={busy !== null}>
                                Stop {j.name}
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            ) : null}
            {!jobs && !jobsError ? <p className="muted">Loading…</p> : null}
            <OutcomeLine outcome={outcomes.job} name="job" />
          </div>
        ) : null}
      </Widget>
    </div>
  );
}
