import { HttpError } from '@observastack/sut-common/errors.ts';
import { apiReleases, defaultApiRelease } from '@observastack/api/releases';
import type { JobName, JobView, ReleasesView } from '../protocol/actions.ts';
import type { KnobService } from '../scenarios/knobs.ts';
import { ReplacementBusy, type Supervisor } from '../supervisor/supervisor.ts';
import type { JobRunner } from '../jobs/job-runner.ts';
import type { ChangeLog } from '../changes/change-log.ts';
import type { ShopActions } from './shop-actions.ts';

/** Services whose code has releases, the environment variable that picks one, and the catalogue. */
const releaseCatalogue: Partial<
  Record<KnobService, { envVar: string; fallback: string; releases: readonly { version: string; notes: string }[] }>
> = {
  api: { envVar: 'OBS_API_RELEASE', fallback: defaultApiRelease, releases: apiReleases },
};

function catalogueOf(service: KnobService) {
  const c = releaseCatalogue[service];
  if (!c) throw new HttpError(`${service} has no releases to roll out`, { code: 'not_found', status: 404 });
  return c;
}

const busy = (err: unknown): never => {
  if (err instanceof ReplacementBusy) throw new HttpError(err.message, { code: 'rollout_in_progress', status: 409 });
  throw new HttpError(`the new process did not become healthy: ${(err as Error).message}`, {
    code: 'rollout_failed',
    status: 502,
  });
};

/** Embedded mode: releases and restarts through the supervisor's rolling replacement, jobs through the job runner. */
export class EmbeddedShopActions implements ShopActions {
  private readonly o: { supervisor: () => Supervisor; jobs: JobRunner; changeLog: ChangeLog };

  constructor(o: { supervisor: () => Supervisor; jobs: JobRunner; changeLog: ChangeLog }) {
    this.o = o;
  }

  unavailable(): null {
    return null;
  }

  private current(service: KnobService): string {
    const c = catalogueOf(service);
    return this.o.supervisor().envOf(service)[c.envVar] ?? c.fallback;
  }

  releases(service: KnobService): ReleasesView {
    const c = catalogueOf(service);
    const current = this.current(service);
    return {
      service,
      current,
      releases: c.releases.map((r) => ({ version: r.version, notes: r.notes, current: r.version === current })),
    };
  }

  async rollout(service: KnobService, version: string, who: string, note?: string) {
    const c = catalogueOf(service);
    const release = c.releases.find((r) => r.version === version);
    if (!release)
      throw new HttpError(`no release ${version} of ${service}`, {
        code: 'invalid_request',
        status: 400,
        issues: [{ path: 'version', message: `one of ${c.releases.map((r) => r.version).join(', ')}` }],
      });
    const from = this.current(service);
    if (from === version)
      throw new HttpError(`${service} already runs ${version}`, { code: 'already_running', status: 409 });
    const t0 = performance.now();
    await this.o
      .supervisor()
      .replace(service, { [c.envVar]: version })
      .catch(busy);
    this.o.changeLog.record(service, who, [{ key: 'release', from, to: version }], Date.now(), note ?? release.notes);
    return { service, from, to: version, tookMs: Math.round(performance.now() - t0) };
  }

  async restart(service: KnobService, _who: string) {
    const r = await this.o.supervisor().replace(service).catch(busy);
    return { service, pid: r.pid, tookMs: r.tookMs };
  }

  jobs(): JobView[] {
    return this.o.jobs.list();
  }

  async startJob(name: JobName): Promise<void> {
    await this.o.jobs.start(name);
  }

  stopJob(name: JobName): Promise<JobView> {
    return this.o.jobs.stop(name);
  }

  async stopJobs(): Promise<void> {
    await this.o.jobs.stopAll();
  }

  async restoreReleases(who: string): Promise<string[]> {
    const rolled: string[] = [];
    for (const [service, c] of Object.entries(releaseCatalogue) as [KnobService, { fallback: string }][]) {
      if (this.current(service) === c.fallback) continue;
      await this.rollout(service, c.fallback, who);
      rolled.push(service);
    }
    return rolled;
  }
}
