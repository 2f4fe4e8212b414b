import { parseLevel, type LogLevel } from './log-level.ts';
import type { LogEntry } from './log-entry.ts';
import { createInterner } from '../interner.ts';

export type LogStream = 'stdout' | 'stderr';

/** What the store keeps per line. `fields` are not kept: they are re-read from `raw` when a line is returned. */
export interface StoredLine {
  id: number;
  time: number;
  service: string;
  level: LogLevel;
  msg: string;
  traceId: string | undefined;
  spanId: string | undefined;
  stream: LogStream;
  raw: string;
  truncated: boolean;
  /** Approximate heap cost, for the store's byte budget. */
  bytes: number;
}

/** Fields shown in their own columns, so left out of `fields`. pid and hostname are noise in one process tree. */
const promoted = new Set([
  'level',
  'time',
  'service',
  'msg',
  'message',
  'trace_id',
  'traceId',
  'span_id',
  'spanId',
  'pid',
  'hostname',
]);
const hexId = (len: number) => new RegExp(`^[0-9a-f]{${len}}$`);
const traceIdRe = hexId(32);
const spanIdRe = hexId(16);
const perLineOverhead = 160;
/** Messages repeat (`request completed` on every access-log line): one copy of each. */
const intern = createInterner();

function idOf(value: unknown, re: RegExp): string | undefined {
  if (typeof value !== 'string') return undefined;
  const id = value.toLowerCase();
  return re.test(id) && !/^0+$/.test(id) ? id : undefined;
}

function timeOf(value: unknown, fallback: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  return fallback;
}

function parseObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns one output line into a stored line. JSON objects (pino) give level, time, msg and trace ids; any other
 * line is kept whole as the message, at level `info` on stdout and `error` on stderr.
 */
export function parseLine(
  id: number,
  service: string,
  rawLine: string,
  stream: LogStream,
  now: number,
  maxLineChars: number,
): StoredLine {
  const trimmed = rawLine.trim();
  const obj = parseObject(trimmed);
  const line = obj ? trimmed : rawLine.trimEnd(); // keep the indentation of stack-trace lines
  const truncated = line.length > maxLineChars;
  const raw = truncated ? line.slice(0, maxLineChars) : line;
  let msg: string;
  let rest: Omit<StoredLine, 'id' | 'service' | 'msg' | 'stream' | 'raw' | 'truncated' | 'bytes'>;
  if (obj) {
    const m = obj.msg ?? obj.message;
    msg = typeof m === 'string' ? intern(m) : m === undefined ? '' : JSON.stringify(m);
    if (msg.length > maxLineChars) msg = msg.slice(0, maxLineChars);
    rest = {
      time: timeOf(obj.time, now),
      level: parseLevel(obj.level, stream === 'stderr' ? 'error' : 'info'),
      traceId: idOf(obj.trace_id ?? obj.traceId, traceIdRe),
      spanId: idOf(obj.span_id ?? obj.spanId, spanIdRe),
    };
  } else {
    msg = raw;
    rest = { time: now, level: stream === 'stderr' ? 'error' : 'info', traceId: undefined, spanId: undefined };
  }
  // Strings cost 2 bytes a character at worst; `msg` is counted separately when it is not the raw line itself.
  const bytes = perLineOverhead + 2 * raw.length + (msg === raw ? 0 : 2 * msg.length);
  return { id, service, msg, stream, raw, truncated, bytes, ...rest };
}

/** The API view of a stored line, with the remaining JSON fields re-read from the raw line. */
export function toEntry(line: StoredLine): LogEntry {
  const fields: Record<string, unknown> = {};
  const obj = line.truncated ? undefined : parseObject(line.raw);
  if (obj) for (const [k, v] of Object.entries(obj)) if (!promoted.has(k)) fields[k] = v;
  const entry: LogEntry = {
    id: line.id,
    time: line.time,
    service: line.service,
    level: line.level,
    msg: line.msg,
    stream: line.stream,
    fields,
    truncated: line.truncated,
  };
  if (line.traceId) entry.traceId = line.traceId;
  if (line.spanId) entry.spanId = line.spanId;
  return entry;
}
