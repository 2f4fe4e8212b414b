import type { z } from 'zod';
import { issuesFrom } from '@observastack/sut-common/errors.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';

/** Parses request input with a zod schema; failures become one 400 listing every field's reason. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new HttpError(`invalid ${what}`, {
    code: 'invalid_request',
    status: 400,
    issues: issuesFrom(r.error.issues),
  });
}
