import type { Labels, SeriesStore } from '../metrics/series-store.ts';
import { seriesKey } from '../metrics/series-store.ts';
import { parsePromql } from './parser.ts';
import { typeOf } from './ast.ts';
import { DEFAULT_LOOKBACK_MS, Evaluator } from './evaluator.ts';
import { PromqlParseError, PromqlUnsupportedError } from './errors.ts';

/** The `data` of Prometheus's `/api/v1/query_range` answer. */
export interface MatrixData {
  resultType: 'matrix';
  result: { metric: Labels; values: [number, string][] }[];
}

/** The `data` of Prometheus's `/api/v1/query` answer. */
export type InstantData =
  | { resultType: 'vector'; result: { metric: Labels; value: [number, string] }[] }
  | { resultType: 'scalar'; result: [number, string] };

/** Prometheus refuses range queries with more points than this per series. */
export const MAX_POINTS = 11_000;

/** Formats a value like Go's strconv.FormatFloat(v, 'f', -1, 64), as the Prometheus API does. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[2] + (m[3] ?? '');
  const exp = Number(m[4]);
  // JS switches to exponent form only beyond 1e21 (more digits than a double holds) or below 1e-6.
  if (exp >= 0) return m[1] + digits.padEnd(exp + 1, '0');
  return `${m[1]}0.${'0'.repeat(-exp - 1)}${digits}`;
}

function sortByLabels<T extends { metric: Labels }>(rows: T[]): T[] {
  return rows.sort((a, b) =>
    seriesKey(a.metric) < seriesKey(b.metric) ? -1 : seriesKey(a.metric) > seriesKey(b.metric) ? 1 : 0,
  );
}

export interface PromqlEngine {
  /** Range query; start, end and step in seconds (floats allowed), like the Prometheus HTTP API. */
  queryRange(query: string, start: number, end: number, step?: number): MatrixData;
  /** Instant query at `time` (seconds). */
  query(query: string, time: number): InstantData;
}

export function createPromqlEngine(store: SeriesStore, lookbackMs = DEFAULT_LOOKBACK_MS): PromqlEngine {
  return {
    queryRange(query, start, end, step = 1) {
      if (!(step > 0))
        throw new PromqlParseError(
          'zero or negative query resolution step widths are not accepted. Try a positive integer',
        );
      if (end < start) throw new PromqlParseError('end timestamp must not be before start time');
      const startMs = Math.round(start * 1000);
      const endMs = Math.round(end * 1000);
      const stepMs = Math.round(step * 1000);
      if ((endMs - startMs) / stepMs + 1 > MAX_POINTS) {
        throw new PromqlParseError(
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      }
      const expr = parsePromql(query);
      if (typeOf(expr) === 'matrix')
        throw new PromqlParseError(
          'invalid expression type "range vector" for range query, must be Scalar or instant Vector',
        );
      const ev = new Evaluator(store, lookbackMs);
      const rows = new Map<string, { metric: Labels; values: [number, string][] }>();
      for (let t = startMs; t <= endMs; t += stepMs) {
        const v = ev.instant(expr, t);
        const samples = v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : v.samples;
        for (const s of samples) {
          const key = seriesKey(s.labels);
          let row = rows.get(key);
          if (!row) rows.set(key, (row = { metric: { ...s.labels }, values: [] }));
          row.values.push([t / 1000, formatValue(s.value)]);
        }
      }
      return { resultType: 'matrix', result: sortByLabels([...rows.values()]) };
    },
    query(query, time) {
      const expr = parsePromql(query);
      if (typeOf(expr) === 'matrix') throw new PromqlUnsupportedError('a range vector as the result of a query');
      const t = Math.round(time * 1000);
      const v = new Evaluator(store, lookbackMs).instant(expr, t);
      if (v.kind === 'scalar') return { resultType: 'scalar', result: [t / 1000, formatValue(v.value)] };
      return {
        resultType: 'vector',
        result: sortByLabels(
          v.samples.map((s) => ({
            metric: { ...s.labels },
            value: [t / 1000, formatValue(s.value)] as [number, string],
          })),
        ),
      };
    },
  };
}
