import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { heapGrowingFlag, tsCacheHooks } from '@observastack/sut-common/launcher/services.ts';
import { pipeLines, stopChild } from '@observastack/sut-common/launcher/start-sut.ts';
import { jobNames, type JobName, type JobView } from '../protocol/actions.ts';

/** What each job does, as its owners describe it (shown to the learner as it is). */
const descriptions: Record<JobName, string> = {
  'analytics-rollup': 'Nightly reservations rollup for the analytics team (owner: data-platform)',
};
/** The service whose code (and logs) a job belongs to. */
export type JobService = 'inventory';
const entries: Record<JobName, string> = {
  'analytics-rollup': fileURLToPath(new URL('../../../sut/inventory/src/jobs/analytics-rollup.ts', import.meta.url)),
};

/** `node` arguments that run one job: the services' memory flags and the type-stripped cache, without tracing. */
export function jobArgs(name: JobName): string[] {
  return ['--max-semi-space-size=2', heapGrowingFlag, '--import', tsCacheHooks, entries[name]];
}

export interface JobRunnerOptions {
  databaseUrl: string;
  /** Every stdout/stderr line of a job (its JSON logs, service `inventory`, field `job`). */
  onLine(service: JobService, stream: 'stdout' | 'stderr', line: string): void;
  /** A job ended (done, stopped or failed). */
  onExit?(view: JobView): void;
  /** Starts one job's process with stdout and stderr piped; default: `node` running it with jobArgs. */
  spawnJob?: (name: JobName) => ChildProcess;
  /** The job's OBS_LOG_LEVEL (default info). */
  logLevel?: string;
  /** Grace after SIGTERM before SIGKILL (default 5 s). */
  stopGraceMs?: number;
}

interface Job {
  view: JobView;
  proc: ChildProcess | null;
  stopping: boolean;
  lastError: string | null;
  closed: Promise<void>;
}

/** The message of a pino error line (level `error` or `fatal`), else null. */
function errorLine(line: string): string | null {
  try {
    const rec = JSON.parse(line) as { level?: unknown; msg?: unknown };
    return (rec.level === 'error' || rec.level === 'fatal') && typeof rec.msg === 'string' ? rec.msg : null;
  } catch {
    return null;
  }
}

/**
 * Runs the shop's background jobs as child processes (embedded mode): one process per job at most, its output
 * piped line by line, its end recorded (`exit code 0`, `signal SIGTERM`, or its last error line when it failed).
 */
export class JobRunner {
  private readonly opts: JobRunnerOptions;
  private readonly jobs = new Map<JobName, Job>();
  private readonly spawnJob: (name: JobName) => ChildProcess;

  constructor(o: JobRunnerOptions) {
    this.opts = o;
    this.spawnJob =
      o.spawnJob ??
      ((name) =>
        spawn(process.execPath, jobArgs(name), {
          env: {
            PATH: process.env.PATH ?? '',
            DATABASE_URL: o.databaseUrl,
            OBS_LOG_LEVEL: o.logLevel ?? 'info',
            MALLOC_ARENA_MAX: '2',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        }));
    for (const name of jobNames) {
      const view: JobView = {
        name,
        description: descriptions[name],
        state: 'idle',
        pid: null,
        startedAt: null,
        endedAt: null,
        lastExit: null,
      };
      this.jobs.set(name, { view, proc: null, stopping: false, lastError: null, closed: Promise.resolve() });
    }
  }

  list(): JobView[] {
    return [...this.jobs.values()].map((j) => ({ ...j.view }));
  }

  get(name: JobName): JobView {
    return { ...this.job(name).view };
  }

  /** Starts a job; a job already running is left as it is. */
  start(name: JobName): JobView {
    const job = this.job(name);
    if (job.proc) return { ...job.view };
    const proc = this.spawnJob(name);
    job.proc = proc;
    job.stopping = false;
    job.lastError = null;
    Object.assign(job.view, { state: 'running', pid: proc.pid ?? null, startedAt: Date.now(), endedAt: null });
    const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
      job.lastError = errorLine(line) ?? job.lastError;
      this.opts.onLine('inventory', stream, line);
    };
    if (proc.stdout) pipeLines(proc.stdout, onLine('stdout'));
    if (proc.stderr) pipeLines(proc.stderr, onLine('stderr'));
    job.closed = new Promise((resolve) => {
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error) => {
        if (ended) return;
        ended = true;
        job.proc = null;
        const failed = !job.stopping && (code !== 0 || spawnError !== undefined);
        const lastExit = spawnError
          ? `could not start: ${spawnError.message}`
          : failed && job.lastError
            ? job.lastError
            : signal
              ? `signal ${signal}`
              : `exit code ${code}`;
        Object.assign(job.view, { state: failed ? 'failed' : 'stopped', pid: null, endedAt: Date.now(), lastExit });
        this.opts.onExit?.({ ...job.view });
        resolve();
      };
      // A process that could not be spawned has no pid and may never emit 'close'.
      proc.on('error', (err) => {
        if (proc.pid === undefined) end(null, null, err);
      });
      // 'close' comes after the process exited and its output was read, so its last error line is known.
      proc.once('close', (code, signal) => end(code, signal));
    });
    return { ...job.view };
  }

  /** SIGTERM, SIGKILL after the grace; resolves with the job's view once it has exited. 409 when not running. */
  async stop(name: JobName): Promise<JobView> {
    const job = this.job(name);
    if (!job.proc) throw new HttpError(`${name} is not running`, { code: 'not_running', status: 409 });
    job.stopping = true;
    if (job.proc.pid !== undefined) await stopChild(job.proc, this.opts.stopGraceMs ?? 5000);
    await job.closed;
    return { ...job.view };
  }

  /** Stops every running job (at reset and at shutdown). */
  async stopAll(): Promise<void> {
    await Promise.all(jobNames.filter((n) => this.jobs.get(n)!.proc).map((n) => this.stop(n).catch(() => {})));
  }

  private job(name: JobName): Job {
    const job = this.jobs.get(name);
    if (!job) throw new HttpError(`unknown job "${name}"`, { code: 'not_found', status: 404 });
    return job;
  }
}
