import type { Span, TraceDetail, TraceSummary, WaterfallSpan } from './span.ts';

const byStart = (a: Span, b: Span) => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId);

/**
 * The root of a possibly incomplete trace: the earliest span without a parent, else the earliest span whose
 * parent has not arrived (spans come in several batches and out of order).
 */
export function findRoot(spans: Iterable<Span>, ids: ReadonlySet<string>): Span | undefined {
  let root: Span | undefined;
  let rootIsTrue = false;
  for (const s of spans) {
    const isTrue = s.parentSpanId === undefined;
    if (!isTrue && ids.has(s.parentSpanId!)) continue;
    if (!root || (isTrue && !rootIsTrue) || (isTrue === rootIsTrue && byStart(s, root) < 0)) {
      root = s;
      rootIsTrue = isTrue;
    }
  }
  return root;
}

export function summarize(traceId: string, spans: readonly Span[]): TraceSummary {
  const ids = new Set(spans.map((s) => s.spanId));
  const root = findRoot(spans, ids);
  let startMs = Infinity;
  let endMs = -Infinity;
  const services = new Set<string>();
  let error = false;
  for (const s of spans) {
    startMs = Math.min(startMs, s.startMs);
    endMs = Math.max(endMs, s.endMs);
    services.add(s.service);
    error ||= s.status === 'error';
  }
  return {
    traceId,
    rootService: root?.service ?? '',
    rootName: root?.name ?? '',
    startMs,
    durationMs: Math.max(0, endMs - startMs),
    spanCount: spans.length,
    services: [...services].sort(),
    error,
  };
}

/** Orders spans for a waterfall: depth first from the roots, siblings by start time, with depth and offset. */
export function buildWaterfall(traceId: string, spans: readonly Span[]): TraceDetail {
  const summary = summarize(traceId, spans);
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of spans) {
    if (s.parentSpanId !== undefined && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    } else roots.push(s);
  }
  const out: WaterfallSpan[] = [];
  const placed = new Set<string>();
  const visit = (s: Span, depth: number) => {
    if (placed.has(s.spanId)) return;
    placed.add(s.spanId);
    const kids = (children.get(s.spanId) ?? []).sort(byStart);
    const orphan = depth === 0 && s.parentSpanId !== undefined;
    out.push({ ...s, depth, offsetMs: s.startMs - summary.startMs, orphan, childCount: kids.length });
    for (const k of kids) visit(k, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  // Spans caught in a parent cycle (malformed input) are never reached from a root: show them as roots.
  for (const s of [...spans].sort(byStart)) visit(s, 0);
  return { ...summary, spans: out };
}
