import type { z } from 'zod';
import { HttpError } from '../errors.ts';
import { validatePatch, type ConfigChange, type ConfigWriteResult } from '../config/runtime-config.ts';
import type { SharedState } from './shared-state.ts';
import type { WireError } from './messages.ts';

type Config = Record<string, unknown>;

export interface ConfigWriterOptions {
  strict: z.ZodObject;
  defaults: Config;
  initial: Config;
  resourceKeys: readonly string[];
  shared: SharedState;
  /** Asks the main thread to apply a change of resource knobs; rejects (HttpError) when it refused. */
  propose: (next: Config, who: string) => Promise<ConfigChange[]>;
  log: (msg: string, fields: Record<string, unknown>) => void;
  /** Defaults: adoptBudgetMs, applyBudgetMs below. */
  adoptBudgetMs?: number;
  applyBudgetMs?: number;
}

/** How long a write waits for the main thread (see docs/architecture.md, "The admin thread"). */
export const adoptBudgetMs = 1500;
export const applyBudgetMs = 20_000;

/**
 * The admin thread's config writer: the only writer of the committed config. Writes are serialized and
 * validated here. A change of value knobs only is committed to shared memory at once and the main thread adopts
 * it on its next `config.get()` (its very next request, or its 100 ms heartbeat when idle). A change touching a
 * resource knob is first applied by the main thread (`propose`), then committed; a failure refuses it (409)
 * and keeps the previous config.
 */
export class ConfigWriter {
  private current: Config;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set while a resource change outlived its budget and the main thread is still applying it. */
  private stuckSince = 0;

  private readonly opts: ConfigWriterOptions;

  constructor(o: ConfigWriterOptions) {
    this.opts = o;
    this.current = o.initial;
  }

  get(): Config {
    return this.current;
  }

  patch(patch: unknown, who: string): Promise<ConfigWriteResult<Config>> {
    return this.serialized(() => this.write(validatePatch(this.opts.strict, this.current, patch), who));
  }

  reset(who: string): Promise<ConfigWriteResult<Config>> {
    return this.serialized(() => this.write(this.opts.defaults, who));
  }

  private serialized<R>(fn: () => Promise<R>): Promise<R> {
    if (this.stuckSince) {
      const s = Math.round((Date.now() - this.stuckSince) / 1000);
      return Promise.reject(
        new HttpError(`a previous config change is still being applied by the service (${s} s); retry shortly`, {
          code: 'change_pending',
          status: 409,
        }),
      );
    }
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(next: Config, who: string): Promise<ConfigWriteResult<Config>> {
    const changes = Object.keys(next)
      .filter((k) => next[k] !== this.current[k])
      .map((k) => ({ key: k, from: this.current[k], to: next[k] }));
    if (changes.length === 0) return { config: this.current, changes };
    if (changes.some((c) => this.opts.resourceKeys.includes(c.key))) {
      const applied = this.opts.propose(next, who);
      const budget = this.opts.applyBudgetMs ?? applyBudgetMs;
      const outcome = await Promise.race([
        applied.then(() => 'applied' as const),
        sleep(budget).then(() => 'late' as const),
      ]);
      if (outcome === 'late') {
        // The main thread is still applying it: answer now, keep the queue blocked until it ends either way.
        this.stuckSince = Date.now();
        const settle = applied
          .then(
            () => this.commit(next, who),
            (err) =>
              this.opts.log('config change refused after its answer (202)', {
                err: (err as Error).message,
                who,
                changes,
              }),
          )
          .finally(() => (this.stuckSince = 0));
        this.queue = settle;
        return {
          config: this.current,
          changes,
          pending: `the service is still applying this change after ${budget} ms; GET /config shows it once applied`,
        };
      }
    }
    const version = this.commit(next, who);
    const budget = this.opts.adoptBudgetMs ?? adoptBudgetMs;
    if (await this.opts.shared.waitAdopted(version, budget)) return { config: this.current, changes };
    return {
      config: this.current,
      changes,
      pending: `committed; the service's main thread is busy and adopts it on its next request (not within ${budget} ms)`,
    };
  }

  private commit(next: Config, who: string): number {
    this.current = Object.freeze({ ...next });
    return this.opts.shared.commit({ config: this.current, who });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

export const toWire = (err: unknown): WireError =>
  err instanceof HttpError
    ? { status: err.status, code: err.code, message: err.message, issues: err.issues }
    : { status: 500, code: 'internal', message: (err as Error).message };

export const fromWire = (e: WireError): HttpError =>
  new HttpError(e.message, { status: e.status, code: e.code, issues: e.issues });
