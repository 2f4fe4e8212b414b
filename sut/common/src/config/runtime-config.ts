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

export interface RuntimeConfig<T extends Record<string, unknown>> {
  get(): Readonly<T>;
  /** JSON Schema of the config, with descriptions, defaults and ranges, for fix forms and docs. */
  jsonSchema(): Record<string, unknown>;
  /** Validates `patch` against the whole schema, applies it atomically, and returns the new config. */
  patch(patch: unknown, who: string): Promise<{ config: T; changes: ConfigChange[] }>;
  /** Restores every knob to its healthy default (used by reset). */
  reset(who: string): Promise<{ config: T; changes: ConfigChange[] }>;
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

  const commit = async (next: T, who: string) => {
    const changes: ConfigChange[] = Object.keys(next)
      .filter((k) => next[k] !== current[k])
      .map((k) => ({ key: k, from: current[k], to: next[k] }));
    if (changes.length === 0) return { config: current, changes };
    try {
      await opts.apply(next, current, changes);
    } catch (err) {
      opts.logger.error({ err, who, changes }, 'config change failed to apply; previous config kept');
      throw new HttpError(`config change could not be applied: ${(err as Error).message}`, { code: 'apply_failed', status: 409, cause: err });
    }
    current = Object.freeze({ ...next }) as T;
    publish(current);
    for (const c of changes) {
      opts.metrics.configChanges.inc({ key: c.key });
      opts.logger.info({ who, key: c.key, from: c.from, to: c.to }, 'config changed');
    }
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

  return {
    get: () => current,
    jsonSchema: () => z.toJSONSchema(strict, { io: 'input' }) as Record<string, unknown>,
    patch: (patch, who) =>
      serialized(async () => {
        if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
          throw new HttpError('config patch must be a JSON object', { code: 'invalid_config', status: 400, issues: [{ path: '(root)', message: 'expected an object' }] });
        }
        const parsed = strict.safeParse({ ...current, ...patch });
        if (!parsed.success) {
          throw new HttpError('invalid config', { code: 'invalid_config', status: 400, issues: issuesFrom(parsed.error.issues) });
        }
        return commit(parsed.data as T, who);
      }),
    reset: (who) => serialized(() => commit(defaults, who)),
  };
}

function enumIndex(schema: z.ZodObject, key: string, value: unknown): number | undefined {
  const field = schema.shape[key] as z.ZodType | undefined;
  const inner = field instanceof z.ZodDefault ? (field.def.innerType as z.ZodType) : field;
  if (inner instanceof z.ZodEnum) return (inner.options as unknown[]).indexOf(value);
  return undefined;
}
