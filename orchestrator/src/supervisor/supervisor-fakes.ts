/**
 * A supervisor on fake children for its unit tests: no process is started, no port is polled. Each fake child
 * exits when the test says (`crash`) or when it is signalled, like a real one, after the current microtasks.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ChildProcess } from 'node:child_process';
import { Supervisor } from './supervisor.ts';
import { defaultSutPorts, type SutServiceName } from '@observastack/sut-common/launcher/services.ts';
import type { ServiceStatus } from '../protocol/ws-messages.ts';

export class FakeChild extends EventEmitter {
  readonly name: SutServiceName;
  readonly pid: number;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  /** Signals received, in order. */
  readonly signals: NodeJS.Signals[] = [];

  constructor(name: SutServiceName, pid: number) {
    super();
    this.name = name;
    this.pid = pid;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal);
    this.exit(null, signal);
    return true;
  }

  /** The process dies on its own. */
  crash(code = 1): void {
    this.exit(code, null);
  }

  private exiting = false;

  private exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exiting) return;
    this.exiting = true;
    queueMicrotask(() => {
      this.exitCode = code;
      this.signalCode = signal;
      this.emit('exit', code, signal);
    });
  }
}

type ServiceEvent = { type: 'service_crashed' | 'service_restarted'; message: string };

export function supervisorHarness() {
  const children: FakeChild[] = [];
  /** spawn:<name> and healthy:<name>, in order. */
  const steps: string[] = [];
  const statuses: ServiceStatus[] = [];
  const events: ServiceEvent[] = [];
  const lines: string[] = [];
  /** Health checks still to fail, per service (the next start of that service is not healthy in time). */
  const failHealth = new Map<SutServiceName, number>();
  let nextPid = 1000;
  /** The extra environment each spawn started with (its release), in order. */
  const envs: { name: SutServiceName; env: Readonly<Record<string, string>> }[] = [];

  const supervisor = new Supervisor({
    ports: defaultSutPorts,
    databaseUrl: 'postgres://unused',
    secretFile: '/unused',
    onLine: (service, stream, line) => lines.push(`${service} ${stream}: ${line}`),
    onStatus: (status, event) => {
      statuses.push(status);
      if (event) events.push(event);
    },
    spawnService: (name) => {
      const child = new FakeChild(name, nextPid++);
      children.push(child);
      envs.push({ name, env: supervisor.envOf(name) });
      steps.push(`spawn:${name}`);
      return child as unknown as ChildProcess;
    },
    waitReplacement: async (name, _old, isAlive) => {
      const failures = failHealth.get(name) ?? 0;
      if (failures > 0) {
        failHealth.set(name, failures - 1);
        throw new Error(`no new healthy process of ${name}`);
      }
      if (!isAlive()) throw new Error(`${name} exited before it answered`);
      steps.push(`replaced:${name}`);
    },
    instanceOf: async (name) => `instance-of-${name}`,
    waitHealthy: async (name, isAlive) => {
      const failures = failHealth.get(name) ?? 0;
      if (failures > 0) {
        failHealth.set(name, failures - 1);
        throw new Error(`${name} not healthy after 20000 ms`);
      }
      if (!isAlive()) throw new Error(`${name} exited before it answered`);
      steps.push(`healthy:${name}`);
    },
  });

  const current = (name: SutServiceName) => children.findLast((c) => c.name === name)!;
  const spawns = (name: SutServiceName) => children.filter((c) => c.name === name).length;
  const status = (name: SutServiceName) => supervisor.statuses().find((s) => s.name === name)!;
  return { supervisor, children, steps, statuses, events, lines, failHealth, current, spawns, status, envs };
}
