import type { Span } from './span.ts';

/** Builds a span for unit tests; times in milliseconds from an arbitrary epoch. */
export function span(fields: Partial<Span> & Pick<Span, 'spanId'>): Span {
  const startMs = fields.startMs ?? 1000;
  const endMs = fields.endMs ?? startMs + 10;
  return {
    traceId: '1'.repeat(32),
    name: fields.spanId,
    kind: 'internal',
    service: 'api',
    status: 'unset',
    attributes: {},
    events: [],
    ...fields,
    startMs,
    endMs,
    durationMs: endMs - startMs,
  };
}
