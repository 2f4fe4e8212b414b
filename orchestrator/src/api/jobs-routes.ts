import { Router } from 'express';
import { HttpError, issuesFrom } from '@observastack/sut-common/errors.ts';
import { jobParamsSchema, type ActionRecord, type JobName, type JobView } from '../protocol/actions.ts';

/** What the routes need of the jobs: a JobRunner in embedded mode, or whatever stands for it. */
export interface JobControl {
  list(): JobView[];
  /** Resolves once the job has exited; HttpError 409 `not_running` when it is not running. */
  stop(name: JobName): Promise<JobView>;
}

/** The job a path names; an unknown name is a missing resource (404), not a malformed request. */
function jobName(params: unknown) {
  const r = jobParamsSchema.safeParse(params);
  if (r.success) return r.data.name;
  throw new HttpError(`no background job ${JSON.stringify((params as { name?: unknown }).name)}`, {
    code: 'not_found',
    status: 404,
    issues: issuesFrom(r.error.issues),
  });
}

/** GET /api/jobs: the shop's background jobs; POST /api/jobs/:name/stop: stop one (the learner's action). */
export function jobsRoutes(runner: JobControl, onAction: (a: ActionRecord) => Promise<void>): Router {
  const r = Router();
  r.get('/jobs', (_req, res) => {
    res.json({ jobs: runner.list() });
  });
  r.post('/jobs/:name/stop', async (req, res) => {
    const name = jobName(req.params);
    const view = await runner.stop(name); // 409 not_running when it is not running
    await onAction({ action: 'stop-job', target: name, summary: `${name} stopped`, who: 'learner' });
    res.json(view);
  });
  return r;
}
