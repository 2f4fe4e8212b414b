/**
 * Parser for the Prometheus text exposition format (version 0.0.4) and the parts of OpenMetrics 1.0 that
 * prom-client serves (the SUT's registries): exemplars after ` # `, and the final `# EOF` (a comment here).
 *
 * Hand-written: the only npm candidate (parse-prometheus-text-format) is unmaintained and reshapes histograms
 * into nested objects, while the hub needs the raw `_bucket`/`_sum`/`_count` samples exactly as Prometheus stores them.
 */

import { createInterner } from '../interner.ts';

/** `text`: Prometheus 0.0.4 (timestamps in ms); `openmetrics`: OpenMetrics 1.0 (timestamps in seconds). */
export type ExpositionFormat = 'text' | 'openmetrics';

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface ExpositionSample {
  /** Metric name of the sample, e.g. `http_server_request_duration_seconds_bucket`. */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** Explicit timestamp (ms since epoch) when the line carries one. */
  timestampMs?: number;
  /** OpenMetrics exemplar: e.g. the trace id of a request counted in this bucket, its value and when. */
  exemplar?: Exemplar;
}

export interface Exemplar {
  labels: Record<string, string>;
  value: number;
  /** Milliseconds since epoch (OpenMetrics writes seconds); absent when the exemplar carries none. */
  timestampMs?: number;
}

export interface Exposition {
  samples: ExpositionSample[];
  /** `# TYPE` declarations by metric family name. */
  types: Map<string, MetricType>;
  /** `# HELP` texts by metric family name. */
  help: Map<string, string>;
}

export class ExpositionParseError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionParseError';
    this.line = line;
  }
}

const NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const METRIC_TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** Parses a float the way Prometheus does: NaN, +Inf, -Inf, Inf, and Go float syntax. */
export function parsePromFloat(text: string): number {
  switch (text.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw new Error(`invalid number ${JSON.stringify(text)}`);
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

/**
 * Names and help texts outlive the parse: each is copied out of the scrape's text once (a slice would keep the
 * whole exposition alive) and shared (interner.ts). Names are few; the bound only stops a flood of new ones.
 */
const own = createInterner({ maxEntries: 10_000, maxChars: Number.POSITIVE_INFINITY });

export function parseExposition(text: string, format: ExpositionFormat = 'text'): Exposition {
  const samples: ExpositionSample[] = [];
  const types = new Map<string, MetricType>();
  const help = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    const lineNo = i + 1;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s+(.*))?$/.exec(line);
      if (!m) continue; // any other comment is ignored, as Prometheus does
      if (m[1] === 'TYPE') {
        const t = (m[3] ?? '').trim() as MetricType;
        if (!METRIC_TYPES.has(t)) throw new ExpositionParseError(`unknown metric type ${JSON.stringify(t)}`, lineNo);
        types.set(own(m[2]), t);
      } else {
        help.set(own(m[2]), own(unescapeHelp(m[3] ?? '')));
      }
      continue;
    }
    samples.push(parseSampleLine(line, lineNo, format));
  }
  return { samples, types, help };
}

function parseSampleLine(line: string, lineNo: number, format: ExpositionFormat): ExpositionSample {
  const nameMatch = NAME_RE.exec(line);
  if (!nameMatch) throw new ExpositionParseError(`expected a metric name in ${JSON.stringify(line)}`, lineNo);
  const name = own(nameMatch[0]);
  const { labels, pos } = parseLabelSet(line, name.length, lineNo);
  const [sampleText, exemplarText] = splitExemplar(line.slice(pos));
  const rest = sampleText.trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '') {
    throw new ExpositionParseError(`expected "value [timestamp]" after ${name}`, lineNo);
  }
  const sample: ExpositionSample = { name, labels, value: parseValue(rest[0], lineNo) };
  if (rest.length === 2) {
    if (format === 'openmetrics') sample.timestampMs = secondsToMs(rest[1], lineNo);
    else if (!/^-?\d+$/.test(rest[1]))
      throw new ExpositionParseError(`invalid timestamp ${JSON.stringify(rest[1])}`, lineNo);
    else sample.timestampMs = Number(rest[1]);
  }
  if (exemplarText !== undefined) sample.exemplar = parseExemplar(exemplarText, lineNo);
  return sample;
}

/** The sample's part and the exemplar's (after ` # `); label values cannot hold it, they were read already. */
function splitExemplar(afterLabels: string): [string, string | undefined] {
  const i = afterLabels.indexOf(' # ');
  return i < 0 ? [afterLabels, undefined] : [afterLabels.slice(0, i), afterLabels.slice(i + 3)];
}

/** `{labels} value [timestamp]`, the timestamp in (fractional) seconds as OpenMetrics writes it. */
function parseExemplar(text: string, lineNo: number): Exemplar {
  const t = text.trim();
  if (!t.startsWith('{')) throw new ExpositionParseError('an exemplar starts with its label set', lineNo);
  const { labels, pos } = parseLabelSet(t, 0, lineNo);
  const rest = t.slice(pos).trim().split(/\s+/);
  if (rest.length < 1 || rest.length > 2 || rest[0] === '')
    throw new ExpositionParseError('expected "value [timestamp]" in the exemplar', lineNo);
  const exemplar: Exemplar = { labels, value: parseValue(rest[0], lineNo) };
  if (rest.length === 2) exemplar.timestampMs = secondsToMs(rest[1], lineNo);
  return exemplar;
}

/** An OpenMetrics timestamp: (fractional) seconds since the epoch. */
function secondsToMs(text: string, lineNo: number): number {
  const seconds = parseValue(text, lineNo);
  if (!Number.isFinite(seconds)) throw new ExpositionParseError(`invalid timestamp ${JSON.stringify(text)}`, lineNo);
  return Math.round(seconds * 1000);
}

function parseValue(text: string, lineNo: number): number {
  try {
    return parsePromFloat(text);
  } catch (err) {
    throw new ExpositionParseError((err as Error).message, lineNo);
  }
}

/** A `{name="value",…}` label set starting at `start` (none when there is no `{`); returns where it ended. */
function parseLabelSet(line: string, start: number, lineNo: number): { labels: Record<string, string>; pos: number } {
  let pos = start;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    for (;;) {
      while (line[pos] === ' ' || line[pos] === '\t') pos++;
      if (line[pos] === '}') {
        pos++;
        break;
      }
      const ln = LABEL_NAME_RE.exec(line.slice(pos));
      if (!ln) throw new ExpositionParseError(`expected a label name at column ${pos + 1}`, lineNo);
      pos += ln[0].length;
      while (line[pos] === ' ') pos++;
      if (line[pos] !== '=') throw new ExpositionParseError(`expected '=' after label ${ln[0]}`, lineNo);
      pos++;
      while (line[pos] === ' ') pos++;
      if (line[pos] !== '"') throw new ExpositionParseError(`expected '"' to open the value of label ${ln[0]}`, lineNo);
      pos++;
      let value = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) throw new ExpositionParseError(`unterminated value of label ${ln[0]}`, lineNo);
        pos++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos++];
          if (e === 'n') value += '\n';
          else if (e === '\\' || e === '"') value += e;
          else throw new ExpositionParseError(`invalid escape \\${e ?? ''} in label ${ln[0]}`, lineNo);
        } else value += c;
      }
      if (ln[0] in labels) throw new ExpositionParseError(`duplicate label ${ln[0]}`, lineNo);
      labels[ln[0]] = value;
      while (line[pos] === ' ') pos++;
      if (line[pos] === ',') {
        pos++;
        continue;
      }
      if (line[pos] === '}') {
        pos++;
        break;
      }
      throw new ExpositionParseError(`expected ',' or '}' at column ${pos + 1}`, lineNo);
    }
  }
  return { labels, pos };
}
