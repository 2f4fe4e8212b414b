import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { otlpTraceRequestSchema } from './otlp-json.ts';
import { flattenAttributes, nanosToMs, normalizeTraceRequest } from './otlp-normalize.ts';
import { decodeTraceRequest, encodeTraceRequest } from './otlp-protobuf.ts';

const request = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'inventory' } }] },
      scopeSpans: [
        {
          scope: { name: '@opentelemetry/instrumentation-pg' },
          spans: [
            {
              traceId: '0AF7651916CD43DD8448EB211C80319C',
              spanId: 'b7ad6b7169203331',
              parentSpanId: '00f067aa0ba902b7',
              name: 'pg.query:SELECT',
              kind: 3,
              startTimeUnixNano: '1700000000123456789',
              endTimeUnixNano: '1700000000125956789',
              attributes: [
                { key: 'db.system', value: { stringValue: 'postgresql' } },
                { key: 'db.rows', value: { intValue: '42' } },
                { key: 'big', value: { intValue: '9007199254740993' } },
                { key: 'ratio', value: { doubleValue: 0.5 } },
                { key: 'cached', value: { boolValue: false } },
                { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { intValue: 2 }] } } },
                {
                  key: 'http',
                  value: { kvlistValue: { values: [{ key: 'route', value: { stringValue: '/stock' } }] } },
                },
              ],
              events: [
                {
                  timeUnixNano: '1700000000124000000',
                  name: 'exception',
                  attributes: [{ key: 'exception.message', value: { stringValue: 'boom' } }],
                },
              ],
              status: { code: 2, message: 'timeout' },
            },
          ],
        },
      ],
    },
  ],
};

describe('normalizeTraceRequest', () => {
  it('turns an OTLP JSON request into spans with flattened attributes and millisecond times', () => {
    const [s] = normalizeTraceRequest(otlpTraceRequestSchema.parse(request));
    expect(s).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      name: 'pg.query:SELECT',
      kind: 'client',
      service: 'inventory',
      scope: '@opentelemetry/instrumentation-pg',
      startMs: 1700000000123.456,
      endMs: 1700000000125.956,
      durationMs: 2.5,
      status: 'error',
      statusMessage: 'timeout',
      attributes: {
        'db.system': 'postgresql',
        'db.rows': 42,
        big: '9007199254740993',
        ratio: 0.5,
        cached: false,
        tags: '["a",2]',
        'http.route': '/stock',
      },
      events: [{ timeMs: 1700000000124, name: 'exception', attributes: { 'exception.message': 'boom' } }],
    });
  });

  it('reads the same spans from protobuf as from JSON', () => {
    const viaProtobuf = normalizeTraceRequest(
      otlpTraceRequestSchema.parse(decodeTraceRequest(encodeTraceRequest(request))),
    );
    expect(viaProtobuf).toEqual(normalizeTraceRequest(otlpTraceRequestSchema.parse(request)));
  });

  it('accepts enum names, numbers for 64-bit fields and missing optional parts', () => {
    const [s] = normalizeTraceRequest(
      otlpTraceRequestSchema.parse({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: 'a'.repeat(32),
                    spanId: 'b'.repeat(16),
                    parentSpanId: '',
                    kind: 'SPAN_KIND_SERVER',
                    startTimeUnixNano: 1_000_000,
                    endTimeUnixNano: 3_000_000,
                    status: { code: 'STATUS_CODE_OK' },
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(s).toMatchObject({
      kind: 'server',
      service: 'unknown_service',
      name: '',
      startMs: 1,
      durationMs: 2,
      status: 'ok',
    });
    expect(s).not.toHaveProperty('parentSpanId');
  });

  it('rejects ids that are not hex of the right length', () => {
    const bad = {
      resourceSpans: [
        {
          scopeSpans: [
            { spans: [{ traceId: 'xyz', spanId: 'b'.repeat(16), startTimeUnixNano: '1', endTimeUnixNano: '2' }] },
          ],
        },
      ],
    };
    const result = otlpTraceRequestSchema.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ['resourceSpans', 0, 'scopeSpans', 0, 'spans', 0, 'traceId'],
      message: 'must be 32 hex characters',
    });
  });

  it('caps attribute count and value length', () => {
    const kvs = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: { stringValue: 'x'.repeat(50) } }));
    const flat = flattenAttributes(kvs, { maxAttributes: 3, maxValueChars: 5, maxEvents: 1 });
    expect(flat).toEqual({ k0: 'xxxxx', k1: 'xxxxx', k2: 'xxxxx' });
  });

  it('converts nanoseconds exactly to microsecond precision', () => {
    expect(nanosToMs('1700000000000001999')).toBe(1700000000000.001);
  });

  it('keeps decoded protobuf strings flat: a 40-character value costs its characters, not a chain of pieces', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const count = 5000;
    const valuesOf = (tag: string, n = count) =>
      Array.from({ length: n }, (_, i) => `/api/products/${i}?search=${tag}-${String(i).padStart(6, '0')}`);
    // Decoded and normalised in a function of its own, so that only the attribute strings outlive it.
    const decodeValues = (values: string[]) => {
      const spans = values.map((v, i) => ({
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: i.toString(16).padStart(16, '0'),
        name: 'GET',
        kind: 2,
        startTimeUnixNano: '1',
        endTimeUnixNano: '2',
        attributes: [{ key: 'url.path', value: { stringValue: v } }],
      }));
      const body = Buffer.from(encodeTraceRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }));
      const decoded = otlpTraceRequestSchema.parse(decodeTraceRequest(body));
      return normalizeTraceRequest(decoded).map((s) => s.attributes['url.path'] as string);
    };
    decodeValues(valuesOf('warm-up', 10)); // protobufjs generates its decoders on first use
    gc();
    gc();
    const values = valuesOf('jacket');
    const before = process.memoryUsage().heapUsed;
    const kept = decodeValues(values);
    gc();
    gc();
    const perValue = (process.memoryUsage().heapUsed - before) / count;
    expect(kept).toEqual(values);
    // Flat: ~56 bytes of string, 8 of array slot and the interning table's entry: ~170 bytes measured. With the
    // 8-character chains protobufjs builds kept instead (the interner's copy removed): ~520.
    expect(perValue).toBeLessThan(300);
  });
});
