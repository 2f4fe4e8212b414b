import { z } from 'zod';
import type { Logger } from 'pino';
import { HttpError, issuesFrom } from '../errors.ts';
import type { ServiceMetrics } from '../metrics.ts';

export interface ConfigChange {
  key: string;
  from: unknown;
  to: unknown;
}

/**
 * Applies a validated config to the real resources (resize a pool, run DDL, …). Called with the whole next
 * config and the previous one; when it throws, the change is refused and the previous config stays.
 */
export type ApplyConfig<T> = (next: T, prev: T, changes: ConfigChange[]) => Promise<void> | void;

/** What a write answers. `pending` (HTTP 202) says why the change has not fully taken effect yet (admin thread). */
export interface ConfigWriteResult<T> {
  config: T;
  changes: ConfigChange[];
  pending?: string;
}

export interface RuntimeConfig<T extends Record<string, unknown>> {
  get(): Readonly<T>;
  /** JSON Schema of the config, with descriptions, defaults and ranges, for fix forms and docs. */
  jsonSchema(): Record<string, unknown>;
  /** Validates `patch` against the whole schema, applies it atomically, and returns the new config. */
  patch(patch: unknown, who: string): Promise<ConfigWriteResult<T>>;
  /** Restores every knob to its healthy default (used by reset). */
  reset(who: string): Promise<ConfigWriteResult<T>>;
  /** For the admin thread (`sut/common/src/admin/`), which takes over writes: see docs/architecture.md. */
  readonly control: ConfigControl<T>;
}

/** The main thread's side of a config whose writes are made by the admin thread. */
export interface ConfigControl<T> {
  /** Knobs whose `apply` touches a resource and may fail: the main thread applies them before they are committed. */
  readonly resourceKeys: readonly string[];
  /** Applies a whole config proposed by the admin thread; throws (HttpError 409) and keeps the previous one on failure. */
  applyProposal(next: T, who: string): Promise<ConfigChange[]>;
  /** Adopts a config the admin thread committed (value knobs; resource knobs were applied by `applyProposal`). Synchronous. */
  adopt(next: T, who: string): ConfigChange[];
  /** From now on `get()` calls `poll` first, and writes go to `writer` (the admin thread). */
  delegate(d: {
    poll(): void;
    patch(patch: unknown, who: string): Promise<ConfigWriteResult<T>>;
    reset(who: string): Promise<ConfigWriteResult<T>>;
  }): void;
}

/**
 * The one runtime-config mechanism of a SUT service: a strict zod object with healthy defaults. Changes are
 * serialized (one at a time), validated whole, applied to the real resource, then published, logged and counted.
 */
export async function createRuntimeConfig<S extends z.ZodObject>(opts: {
  schema: S;
  apply: ApplyConfig<z.infer<S>>;
  logger: Logger;
  metrics: ServiceMetrics;
  /**
   * Knobs whose `apply` touches a resource (pool resize, DDL) and may fail (default: every knob). The others are
   * value knobs: `apply` must handle a change of them synchronously and without failing (set a gauge, a rate).
   */
  resourceKeys?: readonly (keyof z.infer<S> & string)[];
}): Promise<RuntimeConfig<z.infer<S>>> {
  type T = z.infer<S>;
  const strict = opts.schema.strict();
  const defaults = strict.parse({}) as T;
  let current: T = defaults;
  let queue: Promise<unknown> = Promise.resolve();

  const publish = (cfg: T) => {
    for (const [key, value] of Object.entries(cfg)) {
      const numeric = typeof value === 'number' ? value : enumIndex(strict, key, value);
      if (numeric !== undefined) opts.metrics.configValue.set({ key }, numeric);
    }
  };

  const diff = (next: T): ConfigChange[] =>
    Object.keys(next)
      .filter((k) => next[k] !== current[k])
      .map((k) => ({ key: k, from: current[k], to: next[k] }));

  const take = (next: T, who: string, changes: ConfigChange[]) => {
    current = Object.freeze({ ...next }) as T;
    publish(current);
    for (const c of changes) {
      opts.metrics.configChanges.inc({ key: c.key });
      opts.logger.info({ who, key: c.key, from: c.from, to: c.to }, 'config changed');
    }
  };

  const commit = async (next: T, who: string) => {
    const changes = diff(next);
    if (changes.length === 0) return { config: current, changes };
    try {
      await opts.apply(next, current, changes);
    } catch (err) {
      opts.logger.error({ err, who, changes }, 'config change failed to apply; previous config kept');
      throw new HttpError(`config change could not be applied: ${(err as Error).message}`, {
        code: 'apply_failed',
        status: 409,
        cause: err,
      });
    }
    take(next, who, changes);
    return { config: current, changes };
  };

  const serialized = <R>(fn: () => Promise<R>): Promise<R> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  };

  await opts.apply(defaults, defaults, []);
  current = Object.freeze({ ...defaults }) as T;
  publish(current);

  let delegate: Parameters<ConfigControl<T>['delegate']>[0] | undefined;
  return {
    get: () => {
      delegate?.poll();
      return current;
    },
    jsonSchema: () => configJsonSchema(strict),
    patch: (patch, who) =>
      delegate
        ? delegate.patch(patch, who)
        : serialized(async () => commit(validatePatch(strict, current, patch) as T, who)),
    reset: (who) => (delegate ? delegate.reset(who) : serialized(() => commit(defaults, who))),
    control: {
      resourceKeys: opts.resourceKeys ?? Object.keys(defaults),
      applyProposal: (next, who) => serialized(async () => (await commit(next, who)).changes),
      adopt: (next, who) => {
        const changes = diff(next);
        if (changes.length === 0) return changes;
        // Value knobs only (the admin thread proposes resource knobs through applyProposal): synchronous by contract.
        const r = opts.apply(next, current, changes);
        if (r instanceof Promise)
          r.catch((err) => opts.logger.error({ err, who, changes }, 'applying a value knob failed'));
        take(next, who, changes);
        return changes;
      },
      delegate: (d) => {
        delegate = d;
      },
    },
  };
}

/** JSON Schema of a config schema, as `GET /config/schema` answers it. */
export const configJsonSchema = (strict: z.ZodObject) =>
  z.toJSONSchema(strict, { io: 'input' }) as Record<string, unknown>;

/** Merges `patch` into `current` and validates the whole; a 400 listing every field otherwise. */
export function validatePatch(
  strict: z.ZodObject,
  current: Record<string, unknown>,
  patch: unknown,
): Record<string, unknown> {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new HttpError('config patch must be a JSON object', {
      code: 'invalid_config',
      status: 400,
      issues: [{ path: '(root)', message: 'expected an object' }],
    });
  }
  const parsed = strict.safeParse({ ...current, ...patch });
  if (!parsed.success) {
    throw new HttpError('invalid config', {
      code: 'invalid_config',
      status: 400,
      issues: issuesFrom(parsed.error.issues),
    });
  }
  return parsed.data as Record<string, unknown>;
}

function enumIndex(schema: z.ZodObject, key: string, value: unknown): number | undefined {
  const field = schema.shape[key] as z.ZodType | undefined;
  const inner = field instanceof z.ZodDefault ? (field.def.innerType as z.ZodType) : field;
  if (inner instanceof z.ZodEnum) return (inner.options as unknown[]).indexOf(value);
  return undefined;
}
