import type { RunningPostgres } from '@observastack/sut-common/db/embedded-postgres.ts';
import type { ServiceStatus } from '../protocol/ws-messages.ts';
import type { SupervisorEvent } from './supervisor.ts';

export interface PostgresSupervisorOptions {
  onStatus(status: ServiceStatus, event?: SupervisorEvent): void;
  /** First wait before a restart; doubled after each failed try, up to `maxBackoffMs`. */
  firstBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Keeps the embedded PostgreSQL up like the shop's services: when the postmaster dies (a crash, the OOM killer,
 * `kill -9`), it reports the crash, starts the server again on the same data folder (PostgreSQL replays its WAL:
 * committed data survives) and reports it back. A start refused while the dead server's backends still hold
 * its shared memory is retried with a growing delay. Reported under the service name `postgres`.
 */
export class PostgresSupervisor {
  readonly name = 'postgres';
  private readonly status: ServiceStatus;
  private stopping = false;
  private readonly watching: Promise<void>;
  private wake: (() => void) | null = null;
  /** A restart under way: `stop()` lets it finish, or the server it starts would outlive the platform. */
  private restarting: Promise<void> | null = null;
  private readonly pg: RunningPostgres;
  private readonly opts: PostgresSupervisorOptions;

  constructor(pg: RunningPostgres, o: PostgresSupervisorOptions) {
    this.pg = pg;
    this.opts = o;
    this.status = { name: this.name, state: 'running', pid: pg.pid(), restarts: 0, lastExit: null };
    this.opts.onStatus({ ...this.status });
    this.watching = this.watch();
  }

  statusNow(): ServiceStatus {
    return { ...this.status };
  }

  pid(): number | null {
    return this.pg.pid();
  }

  private set(patch: Partial<ServiceStatus>, event?: SupervisorEvent): void {
    Object.assign(this.status, patch);
    this.opts.onStatus({ ...this.status }, event);
  }

  /** A wait that `stop()` cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async watch(): Promise<void> {
    const first = this.opts.firstBackoffMs ?? 250;
    const max = this.opts.maxBackoffMs ?? 5000;
    while (!this.stopping) {
      const exit = await this.pg.exited();
      if (this.stopping) return;
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      const downSince = Date.now();
      this.set(
        { state: 'restarting', pid: null, lastExit: how },
        { type: 'service_crashed', message: `PostgreSQL stopped unexpectedly (${how}); restarting` },
      );
      for (let delay = first; !this.stopping; delay = Math.min(max, delay * 2)) {
        await this.pause(delay);
        if (this.stopping) return;
        try {
          this.restarting = this.pg.restart();
          await this.restarting;
          break;
        } catch (err) {
          this.set({ lastExit: (err as Error).message });
        } finally {
          this.restarting = null;
        }
      }
      if (this.stopping) return;
      this.status.restarts++;
      const downS = ((Date.now() - downSince) / 1000).toFixed(1);
      this.set(
        { state: 'running', pid: this.pg.pid() },
        {
          type: 'service_restarted',
          message: `PostgreSQL is back after ${downS} s (restart ${this.status.restarts}; crash recovery from its WAL)`,
        },
      );
    }
  }

  /**
   * No restart from now on; the server keeps running until `stop()`. The platform calls this as it begins to
   * stop: a Ctrl-C reaches the whole process group, PostgreSQL included, and its exit then is no crash.
   */
  endSupervision(): void {
    this.stopping = true;
    this.wake?.();
  }

  /** Stops supervising, then the server (the one a restart under way brings up, if any). */
  async stop(): Promise<void> {
    this.endSupervision();
    await this.restarting?.catch(() => {});
    await this.pg.stop();
    this.set({ state: 'stopped', pid: null });
    await this.watching;
  }
}
