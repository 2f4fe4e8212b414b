import { spawn, type ChildProcess } from 'node:child_process';
import {
  adminBaseUrl,
  healthyInstance,
  waitNewInstance,
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
  /**
   * During a rollout: resolves when a healthy process other than `oldInstance` answers the service's /healthz;
   * default: polls it on fresh connections (both processes share the port).
   */
  waitReplacement?: (name: SutServiceName, oldInstance: string | null, isAlive: () => boolean) => Promise<void>;
  /** The /healthz instance of the process serving now (null if none answers); default: asks it. */
  instanceOf?: (name: SutServiceName) => Promise<string | null>;
}

/** A rollout or a restart refused because another one of the same service is under way. */
export class ReplacementBusy extends Error {}

interface Child {
  name: SutServiceName;
  proc: ChildProcess | null;
  status: ServiceStatus;
  crashes: number;
  healthySince: number;
  stopping: boolean;
  /** A rollout is under way: the old process's exit is part of it, not a crash. */
  replacing: boolean;
  /** Environment this service's processes start with beyond serviceEnv (its release). */
  env: Record<string, string>;
  /** The serving process said on stderr that its JavaScript heap ran out (Node's dying words before SIGABRT). */
  outOfMemory: boolean;
}

const maxBackoffMs = 10_000;
/** What Node prints when an isolate reaches its heap limit (then it aborts). */
const outOfMemoryLine = /JavaScript heap out of memory/;

/**
 * Runs the SUT services as child processes: captures their output line by line, restarts a crashed child with
 * exponential backoff (0.5 s, 1 s, 2 s … 10 s; reset after 30 s healthy) and reports every crash and restart.
 */
export class Supervisor {
  private readonly opts: SupervisorOptions;
  private readonly children = new Map<SutServiceName, Child>();
  private readonly spawnService: (name: SutServiceName) => ChildProcess;
  private readonly waitHealthy: (name: SutServiceName, isAlive: () => boolean) => Promise<void>;
  private readonly waitReplacement: NonNullable<SupervisorOptions['waitReplacement']>;
  private readonly instanceOf: NonNullable<SupervisorOptions['instanceOf']>;

  constructor(o: SupervisorOptions) {
    this.opts = o;
    this.spawnService =
      o.spawnService ??
      ((name) =>
        spawn(process.execPath, serviceArgs(name), {
          env: {
            PATH: process.env.PATH ?? '',
            ...serviceEnv(name, { ...o, reusePort: true }),
            ...this.children.get(name)!.env,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        }));
    this.waitHealthy =
      o.waitHealthy ??
      ((name, isAlive) => waitHealthy(`${adminBaseUrl(name, o.ports)}/healthz`, o.healthTimeoutMs ?? 20_000, isAlive));
    this.waitReplacement =
      o.waitReplacement ??
      ((name, old, isAlive) =>
        waitNewInstance(`${adminBaseUrl(name, o.ports)}/healthz`, old, o.healthTimeoutMs ?? 20_000, isAlive));
    this.instanceOf = o.instanceOf ?? ((name) => healthyInstance(`${adminBaseUrl(name, o.ports)}/healthz`));
    for (const name of sutServiceNames) {
      this.children.set(name, {
        name,
        proc: null,
        crashes: 0,
        healthySince: 0,
        stopping: false,
        replacing: false,
        env: {},
        outOfMemory: false,
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
    c.outOfMemory = false;
    this.setStatus(c, { state: c.status.restarts > 0 ? 'restarting' : 'starting', pid: proc.pid ?? null });
    pipeLines(proc.stdout!, (l) => this.opts.onLine(c.name, 'stdout', l));
    pipeLines(proc.stderr!, (l) => {
      if (c.proc === proc && outOfMemoryLine.test(l)) c.outOfMemory = true;
      this.opts.onLine(c.name, 'stderr', l);
    });
    proc.once('exit', (code, signal) => this.onExit(c, proc, code, signal));
    await this.waitHealthy(c.name, () => proc.exitCode === null && proc.signalCode === null);
    c.healthySince = Date.now();
    this.setStatus(c, { state: 'running' });
  }

  /** The environment beyond serviceEnv a service's processes start with (e.g. `OBS_API_RELEASE`). */
  envOf(name: SutServiceName): Readonly<Record<string, string>> {
    return { ...this.children.get(name)!.env };
  }

  /**
   * A rolling replacement, as an orchestrator rolls a deployment out: a new process starts beside the serving one
   * (both listen with SO_REUSEPORT, the kernel shares new connections between them), and once it is healthy the
   * old one gets SIGTERM: it stops accepting, finishes what it serves and exits, and the gateway's connections
   * move to the new one. `env` (merged into the service's) is how a release changes; empty, it is a restart. If
   * the new process never becomes healthy it is killed, the old one keeps serving and the error is thrown.
   */
  async replace(
    name: SutServiceName,
    env: Record<string, string> = {},
  ): Promise<{ pid: number | null; tookMs: number }> {
    const c = this.children.get(name)!;
    if (c.replacing) throw new ReplacementBusy(`a rollout of ${name} is already under way`);
    if (c.stopping) throw new Error(`${name} is stopping`);
    const t0 = performance.now();
    c.replacing = true;
    const previousEnv = c.env;
    try {
      const old = c.proc;
      const oldInstance = old ? await this.instanceOf(name) : null;
      c.env = { ...c.env, ...env };
      const proc = this.spawnService(name);
      pipeLines(proc.stdout!, (l) => this.opts.onLine(name, 'stdout', l));
      pipeLines(proc.stderr!, (l) => {
        if (c.proc === proc && outOfMemoryLine.test(l)) c.outOfMemory = true;
        this.opts.onLine(name, 'stderr', l);
      });
      try {
        await this.waitReplacement(name, oldInstance, () => proc.exitCode === null && proc.signalCode === null);
      } catch (err) {
        c.env = previousEnv;
        await stopChild(proc);
        // The serving process died meanwhile: start one again, as after a crash.
        if (old && c.proc === null && !c.stopping) void this.spawnOne(c).catch(() => c.proc?.kill('SIGKILL'));
        throw err;
      }
      c.proc = proc;
      c.outOfMemory = false;
      c.healthySince = Date.now();
      proc.once('exit', (code, signal) => this.onExit(c, proc, code, signal));
      this.setStatus(c, { state: 'running', pid: proc.pid ?? null });
      if (old) await stopChild(old);
      return { pid: proc.pid ?? null, tookMs: Math.round(performance.now() - t0) };
    } finally {
      c.replacing = false;
    }
  }

  private onExit(c: Child, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (c.proc !== proc) return;
    // The serving process died while its replacement starts: the replacement takes over (or, if it fails, the
    // next crash of nothing is restarted by the usual path below once replacing ends).
    if (c.replacing) {
      c.proc = null;
      this.setStatus(c, { lastExit: signal ? `signal ${signal}` : `exit code ${code}` });
      return;
    }
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
      {
        type: 'service_crashed',
        message: c.outOfMemory
          ? `${c.name} ran out of memory (JavaScript heap out of memory, ${how}); restarting in ${delay} ms`
          : `${c.name} stopped unexpectedly (${how}); restarting in ${delay} ms`,
      },
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
