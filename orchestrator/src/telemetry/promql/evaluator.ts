import type { Labels, SeriesReader, SeriesStore } from '../metrics/series-store.ts';
import { seriesKey } from '../metrics/series-store.ts';
import { parsePromFloat } from '../metrics/exposition-parser.ts';
import {
  isSetOp,
  rangeFunctions,
  type Aggregate,
  type Binary,
  type Call,
  type Expr,
  type RangeFunction,
  type VectorSelector,
} from './ast.ts';
import { applyRangeFunction, bucketQuantile, type Bucket, type Points } from './functions.ts';
import { PromqlEvalError } from './errors.ts';

export interface Sample {
  labels: Labels;
  value: number;
}
export type Value = { kind: 'scalar'; value: number } | { kind: 'vector'; samples: Sample[] };

/** Prometheus's default lookback delta: an instant selector sees the latest sample up to 5 minutes old. */
export const DEFAULT_LOOKBACK_MS = 5 * 60_000;

function dropName(labels: Labels): Labels {
  if (!('__name__' in labels)) return labels;
  const { __name__: _drop, ...rest } = labels;
  return rest;
}

function keep(labels: Labels, names: string[]): Labels {
  const out: Labels = {};
  for (const n of names) if (labels[n] !== undefined && labels[n] !== '') out[n] = labels[n];
  return out;
}

function without(labels: Labels, names: string[]): Labels {
  const out: Labels = {};
  for (const [k, v] of Object.entries(labels)) if (!names.includes(k)) out[k] = v;
  return out;
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    default:
      return a <= b;
  }
}

function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    default:
      return a / b;
  }
}

const isComparison = (op: string) => ['==', '!=', '>', '<', '>=', '<='].includes(op);

/**
 * `and`, `or`, `unless` as Prometheus's VectorAnd/VectorOr/VectorUnless: samples are matched by their label
 * signature (all labels but the name, or only/except those of on(...)/ignoring(...)) and keep their own labels.
 */
function setOperation(expr: Binary, lhs: Sample[], rhs: Sample[]): Sample[] {
  const m = expr.matching;
  const signature = (labels: Labels) =>
    seriesKey(m?.on ? keep(labels, m.labels) : without(labels, [...(m?.labels ?? []), '__name__']));
  const rightSigs = new Set(rhs.map((s) => signature(s.labels)));
  switch (expr.op) {
    case 'and':
      return lhs.filter((s) => rightSigs.has(signature(s.labels)));
    case 'unless':
      return lhs.filter((s) => !rightSigs.has(signature(s.labels)));
    default: {
      const leftSigs = new Set(lhs.map((s) => signature(s.labels)));
      return [...lhs, ...rhs.filter((s) => !leftSigs.has(signature(s.labels)))];
    }
  }
}

/**
 * Evaluates one expression at instants over a SeriesStore with Prometheus semantics. Selector look-ups are cached
 * for the evaluator's lifetime, so build one per query and call `instant` once per step.
 */
export class Evaluator {
  private readonly store: SeriesStore;
  private readonly lookbackMs: number;
  private readonly selected = new Map<VectorSelector, SeriesReader[]>();

  constructor(store: SeriesStore, lookbackMs = DEFAULT_LOOKBACK_MS) {
    this.store = store;
    this.lookbackMs = lookbackMs;
  }

  /** Evaluates at time t (ms); a vector result never holds two samples with the same labels. */
  instant(expr: Expr, t: number): Value {
    const v = this.eval(expr, t);
    if (v.kind === 'vector') {
      const seen = new Set<string>();
      for (const s of v.samples) {
        const k = seriesKey(s.labels);
        if (seen.has(k)) throw new PromqlEvalError('vector cannot contain metrics with the same labelset');
        seen.add(k);
      }
    }
    return v;
  }

  /** The selector's series as readers: each chunk a query touches is decoded once for the whole query. */
  private series(sel: VectorSelector): SeriesReader[] {
    let s = this.selected.get(sel);
    if (!s) this.selected.set(sel, (s = this.store.select(sel.matchers).map((x) => x.reader())));
    return s;
  }

  private eval(expr: Expr, t: number): Value {
    switch (expr.type) {
      case 'number':
        return { kind: 'scalar', value: expr.value };
      case 'vectorSelector':
        return { kind: 'vector', samples: this.selectInstant(expr, t) };
      case 'matrixSelector':
        throw new PromqlEvalError('a range vector cannot be the result of an expression here');
      case 'call':
        return this.call(expr, t);
      case 'aggregate':
        return { kind: 'vector', samples: this.aggregate(expr, t) };
      case 'binary':
        return this.binary(expr, t);
      case 'unary': {
        const v = this.eval(expr.expr, t);
        if (expr.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
        return { kind: 'vector', samples: v.samples.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
      }
    }
  }

  private selectInstant(sel: VectorSelector, t: number): Sample[] {
    const out: Sample[] = [];
    for (const s of this.series(sel)) {
      const i = s.lastIndexAtOrBefore(t);
      // Left-open lookback window (t - 5m, t]; a staleness marker as the latest sample hides the series.
      if (i < 0 || s.timeAt(i) <= t - this.lookbackMs || s.isStaleAt(i)) continue;
      out.push({ labels: s.labels, value: s.valueAt(i) });
    }
    return out;
  }

  /** Samples in the left-open window (t - range, t], staleness markers removed. */
  private selectRange(sel: VectorSelector, rangeMs: number, t: number): { labels: Labels; points: Points }[] {
    const out: { labels: Labels; points: Points }[] = [];
    for (const s of this.series(sel)) {
      const last = s.lastIndexAtOrBefore(t);
      if (last < 0) continue;
      const first = s.lastIndexAtOrBefore(t - rangeMs) + 1;
      const points: Points = { ts: [], vs: [] };
      s.collect(first, last, points.ts, points.vs);
      if (points.ts.length) out.push({ labels: s.labels, points });
    }
    return out;
  }

  private call(expr: Call, t: number): Value {
    if ((rangeFunctions as readonly string[]).includes(expr.func)) {
      const arg = expr.args[0];
      if (arg.type !== 'matrixSelector') throw new PromqlEvalError(`${expr.func} expects a range vector selector`);
      const samples: Sample[] = [];
      for (const { labels, points } of this.selectRange(arg.selector, arg.rangeMs, t)) {
        const v = applyRangeFunction(expr.func as RangeFunction, points, t - arg.rangeMs, t);
        if (v !== undefined) samples.push({ labels: dropName(labels), value: v });
      }
      return { kind: 'vector', samples };
    }
    if (expr.func === 'clamp_min') {
      const v = this.vector(expr.args[0], t);
      const min = this.scalar(expr.args[1], t);
      return { kind: 'vector', samples: v.map((s) => ({ labels: dropName(s.labels), value: Math.max(s.value, min) })) };
    }
    // histogram_quantile
    const q = this.scalar(expr.args[0], t);
    const groups = new Map<string, { labels: Labels; buckets: Bucket[] }>();
    for (const s of this.vector(expr.args[1], t)) {
      const le = s.labels.le;
      if (le === undefined) continue;
      let upperBound: number;
      try {
        upperBound = parsePromFloat(le);
      } catch {
        continue;
      }
      const labels = without(s.labels, ['le', '__name__']);
      const key = seriesKey(labels);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { labels, buckets: [] }));
      g.buckets.push({ upperBound, count: s.value });
    }
    return {
      kind: 'vector',
      samples: [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })),
    };
  }

  private vector(expr: Expr, t: number): Sample[] {
    const v = this.eval(expr, t);
    if (v.kind !== 'vector') throw new PromqlEvalError('expected an instant vector');
    return v.samples;
  }

  private scalar(expr: Expr, t: number): number {
    const v = this.eval(expr, t);
    if (v.kind !== 'scalar') throw new PromqlEvalError('expected a scalar');
    return v.value;
  }

  private aggregate(expr: Aggregate, t: number): Sample[] {
    const groups = new Map<string, { labels: Labels; sum: number; count: number; min: number; max: number }>();
    for (const s of this.vector(expr.expr, t)) {
      const labels = expr.without ? without(s.labels, [...expr.labels, '__name__']) : keep(s.labels, expr.labels);
      const key = seriesKey(labels);
      const g = groups.get(key);
      if (!g) {
        groups.set(key, { labels, sum: s.value, count: 1, min: s.value, max: s.value });
        continue;
      }
      g.sum += s.value;
      g.count++;
      if (s.value < g.min || Number.isNaN(g.min)) g.min = s.value;
      if (s.value > g.max || Number.isNaN(g.max)) g.max = s.value;
    }
    const pick = {
      sum: (g: { sum: number }) => g.sum,
      count: (g: { count: number }) => g.count,
      avg: (g: { sum: number; count: number }) => g.sum / g.count,
      min: (g: { min: number }) => g.min,
      max: (g: { max: number }) => g.max,
    }[expr.op];
    return [...groups.values()].map((g) => ({ labels: g.labels, value: pick(g as never) }));
  }

  private binary(expr: Binary, t: number): Value {
    const l = this.eval(expr.lhs, t);
    const r = this.eval(expr.rhs, t);
    if (isSetOp(expr.op)) {
      if (l.kind !== 'vector' || r.kind !== 'vector')
        throw new PromqlEvalError(`set operator "${expr.op}" needs two instant vectors`);
      return { kind: 'vector', samples: setOperation(expr, l.samples, r.samples) };
    }
    const cmp = isComparison(expr.op);
    if (l.kind === 'scalar' && r.kind === 'scalar') {
      const value = cmp ? (compare(expr.op, l.value, r.value) ? 1 : 0) : arithmetic(expr.op, l.value, r.value);
      return { kind: 'scalar', value };
    }
    if (l.kind === 'vector' && r.kind === 'vector')
      return { kind: 'vector', samples: this.vectorBinary(expr, l.samples, r.samples) };
    const swap = l.kind === 'scalar';
    const vec = (swap ? r : l) as { kind: 'vector'; samples: Sample[] };
    const sc = (swap ? l : r) as { kind: 'scalar'; value: number };
    const out: Sample[] = [];
    for (const s of vec.samples) {
      const [a, b] = swap ? [sc.value, s.value] : [s.value, sc.value];
      if (cmp) {
        const ok = compare(expr.op, a, b);
        if (expr.bool) out.push({ labels: dropName(s.labels), value: ok ? 1 : 0 });
        else if (ok) out.push({ labels: s.labels, value: s.value }); // a filter keeps the vector's own value and name
      } else out.push({ labels: dropName(s.labels), value: arithmetic(expr.op, a, b) });
    }
    return { kind: 'vector', samples: out };
  }

  /** One-to-one vector matching, as Prometheus's VectorBinop without group_left/right. */
  private vectorBinary(expr: Binary, lhs: Sample[], rhs: Sample[]): Sample[] {
    const m = expr.matching;
    const signature = (labels: Labels) =>
      seriesKey(m?.on ? keep(labels, m.labels) : without(labels, [...(m?.labels ?? []), '__name__']));
    const right = new Map<string, Sample>();
    for (const s of rhs) {
      const sig = signature(s.labels);
      if (right.has(sig)) {
        throw new PromqlEvalError(
          'found duplicate series for the match group on the right hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side',
        );
      }
      right.set(sig, s);
    }
    const cmp = isComparison(expr.op);
    const matched = new Set<string>();
    const out: Sample[] = [];
    for (const ls of lhs) {
      const sig = signature(ls.labels);
      const rs = right.get(sig);
      if (!rs) continue;
      let value: number;
      if (cmp) {
        const ok = compare(expr.op, ls.value, rs.value);
        if (!ok && !expr.bool) continue;
        value = expr.bool ? (ok ? 1 : 0) : ls.value;
      } else value = arithmetic(expr.op, ls.value, rs.value);
      if (matched.has(sig))
        throw new PromqlEvalError(
          'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
        );
      matched.add(sig);
      let labels = !cmp || expr.bool ? dropName(ls.labels) : ls.labels;
      if (m) labels = m.on ? keep(labels, m.labels) : without(labels, m.labels); // on(...) keeps only its labels
      out.push({ labels, value });
    }
    return out;
  }
}
