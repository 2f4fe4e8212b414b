import { z } from 'zod';
import { logLevelSchema } from './log-level.ts';

/** One log line as the telemetry API returns it. */
export const logEntrySchema = z.object({
  id: z.number().int().describe('Store-wide id, increasing with arrival order; use it as `sinceId` to page forward.'),
  time: z.number().describe("Epoch milliseconds: the line's own `time`, or its arrival time when it has none."),
  service: z.string().describe('The service whose process wrote the line.'),
  level: logLevelSchema,
  msg: z.string().describe('The `msg` field, or the whole line when it was not JSON.'),
  traceId: z.string().optional().describe('W3C trace id (32 hex) when the line was written inside a traced request.'),
  spanId: z.string().optional().describe('Span id (16 hex) of the active span.'),
  stream: z.enum(['stdout', 'stderr']).describe('Which output stream the line came from.'),
  fields: z.record(z.string(), z.unknown()).describe('The other JSON fields of the line (empty for non-JSON lines).'),
  truncated: z.boolean().describe('True when the line exceeded the stored length and was cut (fields are then lost).'),
});
export type LogEntry = z.infer<typeof logEntrySchema>;
