import { spawn, type ChildProcess } from 'node:child_process';
import {
  adminBaseUrl,
  prepareTsCache,
  serviceArgs,
  serviceEnv,
  sutServiceNames,
  waitHealthy,
  type SutEnvOptions,
  type SutServiceName,
} from '@observastack/sut-common/launcher/services.ts';
import { pipeLines, stopChild } from '@observastack/sut-common/launcher/start-sut.ts';
import type { ServiceStatus } from '../protocol/ws-messages.ts';

/** A crash or a recovery, for the run's timeline. */
export interface SupervisorEvent {
  type: 'service_crashed' | 'service_restarted';
  message: string;
}

export interface SupervisorOptions extends SutEnvOptions {
  onLine(service: SutServiceName, stream: 'stdout' | 'stderr', line: string): void;
  onStatus(status: ServiceStatus, event?: SupervisorEvent): void;
  /** Longest wait for a service's /healthz at (re)start. */
  healthTimeoutMs?: number;
  /** Starts one service's process; default: `node` running the service with its environment, output piped. */
  spawnService?: (name: SutServiceName) => ChildProcess;
  /** Resolves when the service is healthy, rejects if not in time or once `isAlive` is false; default: polls its /healthz. */
  waitHealthy?: (name: SutServiceName, isAlive: () => boolean) => Promise<void>;
}

interface Child {
  name: SutServiceName;
  proc: ChildProcess | null;
  status: ServiceStatus;
  crashes: number;
  healthySince: number;
  stopping: boolean;
}

const maxBackoffMs = 10_000;

/**
 * Runs the SUT services as child processes: captures their output line by line, restarts a crashed child with
 * exponential backoff (0.5 s, 1 s, 2 s … 10 s; reset after 30 s healthy) and reports every crash and restart.
 */
export class Supervisor {
  private readonly opts: SupervisorOptions;
  private readonly children = new Map<SutServiceName, Child>();
  private readonly spawnService: (name: SutServiceName) => ChildProcess;
  private readonly waitHealthy: (name: SutServiceName, isAlive: () => boolean) => Promise<void>;

  constructor(o: SupervisorOptions) {
    this.opts = o;
    this.spawnService =
      o.spawnService ??
      ((name) =>
        spawn(process.execPath, serviceArgs(name), {
          env: { PATH: process.env.PATH ?? '', ...serviceEnv(name, o) },
          stdio: ['ignore', 'pipe', 'pipe'],
        }));
    this.waitHealthy =
      o.waitHealthy ??
      ((name, isAlive) => waitHealthy(`${adminBaseUrl(name, o.ports)}/healthz`, o.healthTimeoutMs ?? 20_000, isAlive));
    for (const name of sutServiceNames) {
      this.children.set(name, {
        name,
        proc: null,
        crashes: 0,
        healthySince: 0,
        stopping: false,
        status: { name, state: 'stopped', pid: null, restarts: 0, lastExit: null },
      });
    }
  }

  statuses(): ServiceStatus[] {
    return [...this.children.values()].map((c) => ({ ...c.status }));
  }

  pid(name: SutServiceName): number | null {
    return this.children.get(name)!.proc?.pid ?? null;
  }

  /** Starts every service in dependency order, each healthy before the next. */
  async startAll(onStep?: (name: SutServiceName, ms: number) => void): Promise<void> {
    await prepareTsCache();
    for (const name of sutServiceNames) {
      const t0 = performance.now();
      await this.spawnOne(this.children.get(name)!);
      onStep?.(name, performance.now() - t0);
    }
  }

  private setStatus(c: Child, patch: Partial<ServiceStatus>, event?: SupervisorEvent): void {
    Object.assign(c.status, patch);
    this.opts.onStatus({ ...c.status }, event);
  }

  private async spawnOne(c: Child): Promise<void> {
    const proc = this.spawnService(c.name);
    c.proc = proc;
    this.setStatus(c, { state: c.status.restarts > 0 ? 'restarting' : 'starting', pid: proc.pid ?? null });
    pipeLines(proc.stdout!, (l) => this.opts.onLine(c.name, 'stdout', l));
    pipeLines(proc.stderr!, (l) => this.opts.onLine(c.name, 'stderr', l));
    proc.once('exit', (code, signal) => this.onExit(c, proc, code, signal));
    await this.waitHealthy(c.name, () => proc.exitCode === null && proc.signalCode === null);
    c.healthySince = Date.now();
    this.setStatus(c, { state: 'running' });
  }

  private onExit(c: Child, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.proc !== proc) return;
    c.proc = null;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (c.stopping) {
      this.setStatus(c, { state: 'stopped', pid: null, lastExit: how });
      return;
    }
    // The backoff starts over only when the process that just ended was healthy for 30 s; a restart that never
    // became healthy (healthySince cleared below) keeps backing off.
    if (c.healthySince > 0 && Date.now() - c.healthySince > 30_000) c.crashes = 0;
    c.healthySince = 0;
    c.crashes++;
    const delay = Math.min(maxBackoffMs, 500 * 2 ** (c.crashes - 1));
    this.setStatus(
      c,
      { state: 'restarting', pid: null, lastExit: how },
      { type: 'service_crashed', message: `${c.name} stopped unexpectedly (${how}); restarting in ${delay} ms` },
    );
    setTimeout(() => {
      if (c.stopping) return;
      c.status.restarts++;
      this.spawnOne(c).then(
        () =>
          this.setStatus(
            c,
            {},
            { type: 'service_restarted', message: `${c.name} is back (restart ${c.status.restarts})` },
          ),
        (err) => {
          this.setStatus(c, { lastExit: (err as Error).message });
          if (c.proc) c.proc.kill('SIGKILL'); // an unhealthy start counts as a crash: onExit schedules the next try
        },
      );
    }, delay).unref();
  }

  async stopAll(): Promise<void> {
    const all = [...this.children.values()];
    for (const c of all) c.stopping = true;
    // Reverse dependency order: the gateway first, the inventory last.
    for (const c of all.reverse()) if (c.proc) await stopChild(c.proc);
  }
}
