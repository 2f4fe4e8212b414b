import { z } from 'zod';

/**
 * An OTLP/HTTP JSON ExportTraceServiceRequest. As the OTLP spec requires, ids are hex (not base64 as plain
 * protobuf JSON would have them), 64-bit integers may be strings, enums are numbers (names are accepted too),
 * and unknown fields are ignored. Decoded protobuf requests are converted into this same shape.
 */
export interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
  bytesValue?: string;
}
export interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

const int64 = z.union([z.string().regex(/^-?\d+$/), z.number().int()]);
const nanos = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .describe('Unix time in nanoseconds.');
const hexId = (chars: number) =>
  z
    .string()
    .regex(new RegExp(`^[0-9a-fA-F]{${chars}}$`), `must be ${chars} hex characters`)
    .transform((s) => s.toLowerCase());
const enumOf = (names: readonly string[]) =>
  z.union([
    z
      .number()
      .int()
      .min(0)
      .max(names.length - 1),
    z.enum(names as [string, ...string[]]).transform((n) => names.indexOf(n)),
  ]);

export const spanKindNames = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
] as const;
const statusCodeNames = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;

const anyValueSchema: z.ZodType<OtlpAnyValue> = z.lazy(() =>
  z.object({
    stringValue: z.string().optional(),
    boolValue: z.boolean().optional(),
    intValue: int64.optional(),
    doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
    arrayValue: z.object({ values: z.array(anyValueSchema).optional() }).optional(),
    kvlistValue: z.object({ values: z.array(keyValueSchema).optional() }).optional(),
    bytesValue: z.string().optional(),
  }),
);
const keyValueSchema: z.ZodType<OtlpKeyValue> = z.lazy(() =>
  z.object({ key: z.string(), value: anyValueSchema.optional() }),
);
const attributes = z.array(keyValueSchema).optional();

const otlpSpanSchema = z.object({
  traceId: hexId(32),
  spanId: hexId(16),
  parentSpanId: z.union([hexId(16), z.literal('')]).optional(),
  name: z.string().default(''),
  kind: enumOf(spanKindNames).default(0),
  startTimeUnixNano: nanos,
  endTimeUnixNano: nanos,
  attributes,
  events: z.array(z.object({ timeUnixNano: nanos, name: z.string().default(''), attributes })).optional(),
  status: z.object({ code: enumOf(statusCodeNames).default(0), message: z.string().optional() }).optional(),
});

export const otlpTraceRequestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes }).optional(),
        scopeSpans: z
          .array(
            z.object({
              scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
              spans: z.array(otlpSpanSchema).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
export type OtlpTraceRequest = z.output<typeof otlpTraceRequestSchema>;
export type OtlpTraceRequestInput = z.input<typeof otlpTraceRequestSchema>;
