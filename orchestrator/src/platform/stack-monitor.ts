import type { ServiceStatus } from '../protocol/ws-messages.ts';
import type { SupervisorEvent } from '../supervisor/supervisor.ts';

/** One service the stack topology depends on: its health URL, or null when its URL setting is missing. */
export interface StackTarget {
  name: string;
  /** e.g. http://api:8081/healthz; null when not configured (reported down, naming `envVar`). */
  healthUrl: string | null;
  envVar: string;
}

export interface StackMonitorOptions {
  targets: StackTarget[];
  onStatus(status: ServiceStatus, event?: SupervisorEvent): void;
  intervalMs?: number;
  timeoutMs?: number;
  /** Consecutive failed checks before a healthy service counts as down (one slow answer on a busy host is not a crash). */
  failuresToDown?: number;
}

/**
 * Stack mode's stand-in for the supervisor: the services run elsewhere (containers, pods), so it only watches
 * them. Polls each /healthz every interval, reports `starting` until a first answer, `running` while healthy,
 * `restarting` (with the reason in lastExit) after `failuresToDown` consecutive failed checks, and a crash/recovery event for the run's
 * timeline on each transition after the first healthy answer — and when a service is healthy at two checks but
 * answers as another process (`instance` of its /healthz): a crash and restart quicker than one poll. Never
 * throws; retries forever.
 */
export class StackMonitor {
  private readonly opts: Required<Omit<StackMonitorOptions, 'onStatus' | 'targets'>> & StackMonitorOptions;
  private readonly status = new Map<string, ServiceStatus & { seenUp: boolean }>();
  private readonly failures = new Map<string, number>();
  /** The process instance each service last answered with (`instance` of its /healthz). */
  private readonly instances = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(o: StackMonitorOptions) {
    this.opts = { intervalMs: 2000, timeoutMs: 2000, failuresToDown: 2, ...o };
    for (const t of o.targets) {
      const lastExit = t.healthUrl ? null : `${t.envVar} is not set`;
      this.status.set(t.name, {
        name: t.name,
        state: t.healthUrl ? 'starting' : 'failed',
        pid: null,
        restarts: 0,
        lastExit,
        seenUp: false,
      });
    }
  }

  statuses(): ServiceStatus[] {
    return [...this.status.values()].map(({ seenUp: _, ...s }) => ({ ...s }));
  }

  /** True when every service answered its last health check. */
  ready(): boolean {
    return [...this.status.values()].every((s) => s.state === 'running');
  }

  /** Down services, as "name (reason)", for error messages. */
  down(): string[] {
    return [...this.status.values()]
      .filter((s) => s.state !== 'running')
      .map((s) => `${s.name} (${s.lastExit ?? s.state})`);
  }

  /** First poll now (resolves when it is done), then every interval. */
  async start(): Promise<void> {
    for (const s of this.status.values()) this.opts.onStatus(this.statusOf(s.name));
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  private statusOf(name: string): ServiceStatus {
    const { seenUp: _, ...s } = this.status.get(name)!;
    return { ...s };
  }

  /** Checks every service now (the timer does it every interval); resolves when the checks are done. */
  poll(): Promise<void> {
    this.polling ??= Promise.all(this.opts.targets.map((t) => this.check(t))).then(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async check(t: StackTarget): Promise<void> {
    if (!t.healthUrl) return;
    let problem: string | null = null;
    let instance: string | undefined;
    try {
      const res = await fetch(t.healthUrl, { signal: AbortSignal.timeout(this.opts.timeoutMs) });
      const body = (await res.json().catch(() => null)) as { instance?: unknown } | null;
      if (typeof body?.instance === 'string') instance = body.instance;
      if (!res.ok) problem = `HTTP ${res.status} from ${t.healthUrl}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      problem = `${t.healthUrl} unreachable (${cause ?? (err as Error).message})`;
    }
    const s = this.status.get(t.name)!;
    const previous = this.instances.get(t.name);
    if (instance) this.instances.set(t.name, instance);
    if (!problem && s.state === 'running' && previous && instance && instance !== previous) {
      // Healthy at both checks, but another process answers: it crashed and came back between two polls.
      this.opts.onStatus(this.statusOf(t.name), {
        type: 'service_crashed',
        message: `${t.name} restarted between two health checks (a new process answers)`,
      });
      s.restarts += 1;
      this.opts.onStatus(this.statusOf(t.name), {
        type: 'service_restarted',
        message: `${t.name} answers its health check again`,
      });
      this.failures.set(t.name, 0);
      return;
    }
    const failures = problem ? (this.failures.get(t.name) ?? 0) + 1 : 0;
    this.failures.set(t.name, failures);
    if (problem && s.state === 'running' && failures < this.opts.failuresToDown) return;
    if (!problem && s.state !== 'running') {
      const event: SupervisorEvent | undefined = s.seenUp
        ? { type: 'service_restarted', message: `${t.name} answers its health check again` }
        : undefined;
      if (s.seenUp) s.restarts += 1;
      Object.assign(s, { state: 'running', lastExit: null, seenUp: true });
      this.opts.onStatus(this.statusOf(t.name), event);
    } else if (problem && (s.state === 'running' || s.lastExit !== problem)) {
      const event: SupervisorEvent | undefined =
        s.state === 'running'
          ? { type: 'service_crashed', message: `${t.name} stopped answering: ${problem}` }
          : undefined;
      Object.assign(s, {
        state: s.seenUp ? 'restarting' : s.state === 'failed' ? 'failed' : 'starting',
        lastExit: problem,
      });
      this.opts.onStatus(this.statusOf(t.name), event);
    }
  }
}
