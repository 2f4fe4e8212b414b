import { z } from 'zod';
import { logLevelSchema } from './log-level.ts';

export const maxLogQueryLimit = 1000;

/** Filters shared by queries and live-tail subscriptions. */
export const logFilterSchema = z.object({
  service: z.string().min(1).max(100).optional().describe('Only lines from this service (gateway, api, inventory).'),
  level: logLevelSchema.optional().describe('Minimum level: `warn` returns warn, error and fatal lines.'),
  text: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('Case-insensitive substring searched in the message and the raw line.'),
  traceId: z
    .string()
    .regex(/^[0-9a-fA-F]{32}$/, 'must be 32 hex characters')
    .transform((s) => s.toLowerCase())
    .optional()
    .describe('Only lines written inside this trace (32 hex characters).'),
});
export type LogFilter = z.input<typeof logFilterSchema>;

/** A log query; results are newest first (the panel shows the latest lines on top). */
export const logQuerySchema = logFilterSchema.extend({
  sinceId: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Only lines with an id greater than this (poll for new lines).'),
  beforeId: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Only lines with an id lower than this (page back to older lines).'),
  since: z.coerce
    .number()
    .min(0)
    .optional()
    .describe('Only lines whose time is at or after this epoch-millisecond instant.'),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(maxLogQueryLimit)
    .default(200)
    .describe(`How many lines at most (1..${maxLogQueryLimit}).`),
});
export type LogQuery = z.output<typeof logQuerySchema>;
export type LogQueryInput = z.input<typeof logQuerySchema>;
