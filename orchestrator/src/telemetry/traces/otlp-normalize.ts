import type { OtlpAnyValue, OtlpKeyValue, OtlpTraceRequest } from './otlp-json.ts';
import type { Span } from './span.ts';
import { createInterner } from '../interner.ts';

export interface NormalizeLimits {
  maxAttributes: number;
  maxValueChars: number;
  maxEvents: number;
}
export const defaultNormalizeLimits: NormalizeLimits = { maxAttributes: 128, maxValueChars: 1024, maxEvents: 32 };

type Flat = Record<string, string | number | boolean>;
const kinds: Span['kind'][] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const statuses: Span['status'][] = ['unset', 'ok', 'error'];
/**
 * Span names, scopes, services and short attribute values repeat across the stored spans: one flat copy of each
 * (protobufjs leaves short decoded strings as chains of 8-character pieces; interner.ts).
 */
const intern = createInterner();

function scalar(v: OtlpAnyValue, limits: NormalizeLimits): string | number | boolean | undefined {
  if (v.stringValue !== undefined) return intern(v.stringValue.slice(0, limits.maxValueChars));
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return typeof v.doubleValue === 'number' ? v.doubleValue : String(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue.slice(0, limits.maxValueChars);
  if (v.arrayValue) {
    const items = (v.arrayValue.values ?? []).map((item) => scalar(item, limits) ?? null);
    return JSON.stringify(items).slice(0, limits.maxValueChars);
  }
  return undefined;
}

/** Flattens OTLP attributes to scalars: key-value lists become dotted keys, arrays JSON text. */
export function flattenAttributes(
  kvs: OtlpKeyValue[] | undefined,
  limits: NormalizeLimits = defaultNormalizeLimits,
  prefix = '',
  out: Flat = {},
): Flat {
  for (const kv of kvs ?? []) {
    if (Object.keys(out).length >= limits.maxAttributes) break;
    const key = prefix + kv.key;
    if (!kv.value) continue;
    if (kv.value.kvlistValue) flattenAttributes(kv.value.kvlistValue.values, limits, `${key}.`, out);
    else {
      const v = scalar(kv.value, limits);
      if (v !== undefined) out[key] = v;
    }
  }
  return out;
}

/** Nanoseconds since the epoch (string or number) to milliseconds with microsecond precision. */
export function nanosToMs(nanos: string | number): number {
  return Number(BigInt(nanos) / 1000n) / 1000;
}

/** Every span of a validated request, with its resource's `service.name`. */
export function normalizeTraceRequest(
  request: OtlpTraceRequest,
  limits: NormalizeLimits = defaultNormalizeLimits,
): Span[] {
  const spans: Span[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const service = intern(
      String(flattenAttributes(rs.resource?.attributes, limits)['service.name'] ?? 'unknown_service'),
    );
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const start = BigInt(s.startTimeUnixNano);
        const end = BigInt(s.endTimeUnixNano);
        const span: Span = {
          traceId: s.traceId,
          spanId: s.spanId,
          name: intern(s.name),
          kind: kinds[s.kind] ?? 'unspecified',
          service,
          startMs: nanosToMs(s.startTimeUnixNano),
          endMs: nanosToMs(s.endTimeUnixNano),
          durationMs: end > start ? Number(end - start) / 1e6 : 0,
          status: statuses[s.status?.code ?? 0] ?? 'unset',
          attributes: flattenAttributes(s.attributes, limits),
          events: (s.events ?? []).slice(0, limits.maxEvents).map((e) => ({
            timeMs: nanosToMs(e.timeUnixNano),
            name: intern(e.name),
            attributes: flattenAttributes(e.attributes, limits),
          })),
        };
        if (s.parentSpanId) span.parentSpanId = s.parentSpanId;
        if (s.status?.message) span.statusMessage = intern(s.status.message.slice(0, limits.maxValueChars));
        if (ss.scope?.name) span.scope = intern(ss.scope.name);
        spans.push(span);
      }
    }
  }
  return spans;
}
