import { z } from 'zod';

export const attributeValueSchema = z
  .union([z.string(), z.number(), z.boolean()])
  .describe('Attribute value, nested values flattened.');
export const attributesSchema = z
  .record(z.string(), attributeValueSchema)
  .describe('Span attributes; nested key-value lists become dotted keys and arrays become JSON text.');

export const spanKindSchema = z
  .enum(['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'])
  .describe('OpenTelemetry span kind.');
export const spanStatusSchema = z.enum(['unset', 'ok', 'error']).describe('OpenTelemetry span status code.');

/** One span as received, normalised. */
export const spanSchema = z.object({
  traceId: z.string().describe('Trace id, 32 lowercase hex characters.'),
  spanId: z.string().describe('Span id, 16 lowercase hex characters.'),
  parentSpanId: z.string().optional().describe('Parent span id; absent on a root span.'),
  name: z.string().describe('Span name, e.g. `GET /products/:id` or `pg.query:SELECT`.'),
  kind: spanKindSchema,
  service: z.string().describe('The `service.name` of the resource that emitted the span.'),
  startMs: z.number().describe('Start, epoch milliseconds (fractional: microsecond precision).'),
  endMs: z.number().describe('End, epoch milliseconds.'),
  durationMs: z.number().describe('End minus start, milliseconds.'),
  status: spanStatusSchema,
  statusMessage: z.string().optional().describe('Status description, set on errors.'),
  scope: z.string().optional().describe('Instrumentation scope, e.g. `@opentelemetry/instrumentation-pg`.'),
  attributes: attributesSchema,
  events: z
    .array(
      z.object({
        timeMs: z.number().describe('Event time, epoch milliseconds.'),
        name: z.string().describe('Event name, e.g. `exception`.'),
        attributes: attributesSchema,
      }),
    )
    .describe('Span events such as recorded exceptions.'),
});
export type Span = z.infer<typeof spanSchema>;

/** One row of a trace search. */
export const traceSummarySchema = z.object({
  traceId: z.string().describe('Trace id, 32 lowercase hex characters.'),
  rootService: z
    .string()
    .describe('Service of the root span (the earliest span whose parent is unknown when the root has not arrived).'),
  rootName: z.string().describe('Name of that span.'),
  startMs: z.number().describe('Earliest span start, epoch milliseconds.'),
  durationMs: z.number().describe('Latest span end minus earliest span start, milliseconds.'),
  spanCount: z.number().int().describe('Spans received so far for this trace.'),
  services: z.array(z.string()).describe('Services that emitted spans, sorted.'),
  error: z.boolean().describe('True when any span has status error.'),
});
export type TraceSummary = z.infer<typeof traceSummarySchema>;

/** A span placed in the waterfall: depth-first order, children by start time. */
export const waterfallSpanSchema = spanSchema.extend({
  depth: z.number().int().describe('0 for roots, parent depth + 1 otherwise.'),
  offsetMs: z.number().describe('Start relative to the trace start, milliseconds.'),
  orphan: z.boolean().describe('True when the span names a parent that has not been received (shown as a root).'),
  childCount: z.number().int().describe('Direct children received.'),
});
export type WaterfallSpan = z.infer<typeof waterfallSpanSchema>;

export const traceDetailSchema = traceSummarySchema.extend({
  spans: z.array(waterfallSpanSchema).describe('Spans in waterfall order.'),
});
export type TraceDetail = z.infer<typeof traceDetailSchema>;
