import { z } from 'zod';

export const maxTraceSearchLimit = 500;

/** A trace search; results are the most recent traces first (by start time). */
export const traceSearchQuerySchema = z.object({
  service: z.string().min(1).max(100).optional().describe('Only traces with at least one span from this service.'),
  minDurationMs: z.coerce.number().min(0).optional().describe('Only traces lasting at least this many milliseconds.'),
  error: z
    .stringbool()
    .or(z.boolean())
    .optional()
    .describe('true: only traces with an error span; false: only traces without.'),
  name: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Only traces with a span whose name contains this text (case-insensitive).'),
  since: z.coerce
    .number()
    .min(0)
    .optional()
    .describe('Only traces starting at or after this epoch-millisecond instant.'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(maxTraceSearchLimit)
    .default(20)
    .describe(`How many traces at most (1..${maxTraceSearchLimit}).`),
});
export type TraceSearchQuery = z.output<typeof traceSearchQuerySchema>;
export type TraceSearchQueryInput = z.input<typeof traceSearchQuerySchema>;

export const traceIdParamSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{32}$/, 'a trace id is 32 hex characters')
  .transform((s) => s.toLowerCase())
  .describe('Trace id, 32 hex characters.');
