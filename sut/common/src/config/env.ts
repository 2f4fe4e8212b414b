import { z } from 'zod';
import { issuesText } from '../errors.ts';

/**
 * Parses a process's environment once, at start. A bad value stops the process with every problem listed,
 * one per line, naming the variable. `process.env` is read nowhere else in a service.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  console.error(`invalid environment:\n  ${issuesText(result.error.issues, '(env)', '\n  ')}`);
  process.exit(2);
}

/** A TCP port from the environment: an integer 0..65535 (0 = any free port). */
export const portFrom = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

/** Shared by every SUT service. */
export const commonEnvShape = {
  OBS_HOST: z.string().default('127.0.0.1').describe('Interface to bind; 127.0.0.1 unless told otherwise.'),
  OBS_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  OBS_JWT_SECRET_FILE: z
    .string()
    .default('.observastack/secrets/jwt-secret')
    .describe('HS256 secret for config-write tokens.'),
  OBS_REUSE_PORT: z
    .enum(['0', '1'])
    .default('0')
    .transform((v) => v === '1')
    .describe(
      'Bind the service and admin ports with SO_REUSEPORT, so that a new process can take traffic beside the old one during a rollout (the supervisor sets it).',
    ),
};
