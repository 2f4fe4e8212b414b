import type { Span, TraceDetail, TraceSummary } from './span.ts';
import { buildWaterfall, summarize } from './trace-tree.ts';
import { traceSearchQuerySchema, type TraceSearchQueryInput } from './trace-search-query.ts';

export interface TraceStoreOptions {
  maxTraces?: number;
  maxSpans?: number;
  /** Approximate heap budget for span data. */
  maxBytes?: number;
  /** Spans kept per trace; later ones are dropped and counted (one runaway trace cannot take the store). */
  maxSpansPerTrace?: number;
}

export interface TraceStoreStats {
  traces: number;
  spans: number;
  bytes: number;
  droppedSpans: number;
  evictedTraces: number;
}

export interface TraceStore {
  /** Adds spans of any traces, in any order and batch split; a span sent again replaces the earlier copy. */
  add(spans: readonly Span[]): void;
  /** Most recent first. Throws a ZodError on an invalid query. */
  search(query?: TraceSearchQueryInput): TraceSummary[];
  getTrace(traceId: string): TraceDetail | undefined;
  stats(): TraceStoreStats;
}

interface TraceEntry {
  /** The one copy of the id that every stored span of the trace shares. */
  traceId: string;
  spans: Map<string, Span & { bytes: number }>;
  startMs: number;
  endMs: number;
  services: Set<string>;
  error: boolean;
  bytes: number;
}

const perSpanOverhead = 600;

/** Heap estimate: strings at 2 bytes a character, a fixed cost per object, number or boolean. */
function estimateBytes(span: Span): number {
  let n =
    perSpanOverhead +
    2 * (span.name.length + span.service.length + (span.statusMessage?.length ?? 0) + (span.scope?.length ?? 0));
  const attrs = (a: Span['attributes']) => {
    for (const [k, v] of Object.entries(a)) n += 48 + 2 * k.length + (typeof v === 'string' ? 2 * v.length : 8);
  };
  attrs(span.attributes);
  for (const e of span.events) {
    n += 96 + 2 * e.name.length;
    attrs(e.attributes);
  }
  return n;
}

/**
 * Recent traces for search and the waterfall. Whole traces are evicted oldest first (by first arrival) when any
 * bound is exceeded. Memory bound: at most `maxBytes` of estimated span data (default 64 MiB), `maxTraces`
 * traces and `maxSpans` spans; attribute counts and value lengths are capped when spans are normalised.
 */
export function createTraceStore(opts: TraceStoreOptions = {}): TraceStore {
  const maxTraces = opts.maxTraces ?? 2000;
  const maxSpans = opts.maxSpans ?? 50_000;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const maxSpansPerTrace = opts.maxSpansPerTrace ?? 2000;
  const traces = new Map<string, TraceEntry>(); // insertion order = first arrival
  let spanCount = 0;
  let bytes = 0;
  let droppedSpans = 0;
  let evictedTraces = 0;

  function addSpan(span: Span): void {
    let entry = traces.get(span.traceId);
    if (!entry) {
      entry = {
        traceId: span.traceId,
        spans: new Map(),
        startMs: span.startMs,
        endMs: span.endMs,
        services: new Set(),
        error: false,
        bytes: 0,
      };
      traces.set(span.traceId, entry);
    }
    const previous = entry.spans.get(span.spanId);
    if (!previous && entry.spans.size >= maxSpansPerTrace) {
      droppedSpans++;
      return;
    }
    const stored = { ...span, traceId: entry.traceId, bytes: estimateBytes(span) };
    entry.spans.set(span.spanId, stored);
    const delta = stored.bytes - (previous?.bytes ?? 0);
    entry.bytes += delta;
    bytes += delta;
    if (!previous) spanCount++;
    entry.startMs = Math.min(entry.startMs, span.startMs);
    entry.endMs = Math.max(entry.endMs, span.endMs);
    entry.services.add(span.service);
    entry.error ||= span.status === 'error';
  }

  function evict(): void {
    for (const [traceId, entry] of traces) {
      if (traces.size <= maxTraces && spanCount <= maxSpans && bytes <= maxBytes) return;
      traces.delete(traceId);
      spanCount -= entry.spans.size;
      bytes -= entry.bytes;
      evictedTraces++;
    }
  }

  function spansOf(entry: TraceEntry): Span[] {
    return [...entry.spans.values()].map(({ bytes: _bytes, ...span }) => span);
  }

  function search(input: TraceSearchQueryInput = {}): TraceSummary[] {
    const q = traceSearchQuerySchema.parse(input);
    const name = q.name?.toLowerCase();
    const hits: [string, TraceEntry][] = [];
    for (const [traceId, e] of traces) {
      if (q.service !== undefined && !e.services.has(q.service)) continue;
      if (q.error !== undefined && e.error !== q.error) continue;
      if (q.minDurationMs !== undefined && e.endMs - e.startMs < q.minDurationMs) continue;
      if (q.since !== undefined && e.startMs < q.since) continue;
      if (name !== undefined && ![...e.spans.values()].some((s) => s.name.toLowerCase().includes(name))) continue;
      hits.push([traceId, e]);
    }
    hits.sort((a, b) => b[1].startMs - a[1].startMs);
    return hits.slice(0, q.limit).map(([traceId, e]) => summarize(traceId, spansOf(e)));
  }

  function getTrace(traceId: string): TraceDetail | undefined {
    const entry = traces.get(traceId.toLowerCase());
    return entry ? buildWaterfall(traceId.toLowerCase(), spansOf(entry)) : undefined;
  }

  return {
    add(spans) {
      for (const s of spans) addSpan(s);
      evict();
    },
    search,
    getTrace,
    stats: () => ({ traces: traces.size, spans: spanCount, bytes, droppedSpans, evictedTraces }),
  };
}
