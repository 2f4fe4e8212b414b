import { levelRank } from './log-level.ts';
import { parseLine, toEntry, type LogStream, type StoredLine } from './log-line.ts';
import type { LogEntry } from './log-entry.ts';
import { logQuerySchema, type LogFilter, type LogQueryInput } from './log-query.ts';
import { RingBuffer } from './ring-buffer.ts';

export interface LogStoreOptions {
  /** Lines kept per service (oldest dropped first). */
  perServiceLimit?: number;
  /** Approximate heap budget per service; oldest lines are dropped while over it. */
  perServiceMaxBytes?: number;
  /** Longer lines are cut to this many characters (their JSON fields are then not returned). */
  maxLineChars?: number;
  /** Distinct services accepted; lines of further services are dropped and counted. */
  maxServices?: number;
  /** Lines queued per live-tail subscriber before its oldest queued lines are dropped. */
  subscriberQueueLimit?: number;
  now?: () => number;
}

/** A live-tail delivery: lines in arrival order, and how many matching lines were dropped since the last one. */
export type LogListener = (batch: LogEntry[], info: { dropped: number }) => void | Promise<unknown>;

export interface LogStoreStats {
  services: Record<string, { lines: number; bytes: number }>;
  ingested: number;
  droppedServices: number;
  subscribers: number;
}

export interface LogStore {
  ingest(service: string, rawLine: string, stream?: LogStream): void;
  /** Newest first. Throws a ZodError on an invalid query. */
  query(query?: LogQueryInput): LogEntry[];
  subscribe(filter: LogFilter, listener: LogListener): () => void;
  services(): string[];
  stats(): LogStoreStats;
}

interface ServiceLog {
  lines: RingBuffer<StoredLine>;
  bytes: number;
}

interface Subscription {
  matches: (line: StoredLine) => boolean;
  queue: RingBuffer<StoredLine>;
  dropped: number;
  scheduled: boolean;
  busy: boolean;
  closed: boolean;
  listener: LogListener;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function matcher(filter: LogFilter): (line: StoredLine) => boolean {
  const minRank = filter.level ? levelRank(filter.level) : 0;
  const re = filter.text ? new RegExp(escapeRegExp(filter.text), 'i') : undefined;
  const traceId = filter.traceId?.toLowerCase();
  return (l) =>
    (filter.service === undefined || l.service === filter.service) &&
    (minRank === 0 || levelRank(l.level) >= minRank) &&
    (traceId === undefined || l.traceId === traceId) &&
    (re === undefined || re.test(l.msg) || re.test(l.raw));
}

/**
 * Recent log lines of the SUT services, per service in a bounded ring.
 * Memory bound: at most `maxServices x perServiceMaxBytes` of line data (defaults 16 x 4 MiB; three SUT services
 * use ~12 MiB at most), counted as 2 bytes a character plus a fixed overhead per line, and at most
 * `perServiceLimit` lines per service. Each subscriber holds at most `subscriberQueueLimit` queued lines,
 * which are references to lines already counted.
 */
export function createLogStore(opts: LogStoreOptions = {}): LogStore {
  const perServiceLimit = opts.perServiceLimit ?? 5000;
  const perServiceMaxBytes = opts.perServiceMaxBytes ?? 4 * 1024 * 1024;
  const maxLineChars = opts.maxLineChars ?? 8192;
  const maxServices = opts.maxServices ?? 16;
  const subscriberQueueLimit = opts.subscriberQueueLimit ?? 1000;
  const now = opts.now ?? Date.now;
  const byService = new Map<string, ServiceLog>();
  const subscriptions = new Set<Subscription>();
  let nextId = 1;
  let droppedServices = 0;

  function deliver(sub: Subscription): void {
    sub.scheduled = false;
    if (sub.closed || sub.busy || sub.queue.size === 0) return;
    const batch: LogEntry[] = [];
    for (let line = sub.queue.shift(); line; line = sub.queue.shift()) batch.push(toEntry(line));
    const info = { dropped: sub.dropped };
    sub.dropped = 0;
    let result: unknown;
    try {
      result = sub.listener(batch, info);
    } catch {
      return; // a failing subscriber must not affect ingest or the other subscribers
    }
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      // Back-pressure: nothing more is delivered until this batch is taken; meanwhile the queue stays bounded.
      sub.busy = true;
      (result as Promise<unknown>).then(release, release);
    }
    function release(): void {
      sub.busy = false;
      schedule(sub);
    }
  }

  function schedule(sub: Subscription): void {
    if (sub.scheduled || sub.busy || sub.closed || sub.queue.size === 0) return;
    sub.scheduled = true;
    setImmediate(deliver, sub);
  }

  function ingest(service: string, rawLine: string, stream: LogStream = 'stdout'): void {
    if (rawLine.trim() === '') return;
    let log = byService.get(service);
    if (!log) {
      if (byService.size >= maxServices) {
        droppedServices++;
        return;
      }
      log = { lines: new RingBuffer<StoredLine>(perServiceLimit), bytes: 0 };
      byService.set(service, log);
    }
    const line = parseLine(nextId++, service, rawLine, stream, now(), maxLineChars);
    const evicted = log.lines.push(line);
    log.bytes += line.bytes - (evicted?.bytes ?? 0);
    while (log.bytes > perServiceMaxBytes && log.lines.size > 1) log.bytes -= log.lines.shift()!.bytes;
    for (const sub of subscriptions) {
      if (!sub.matches(line)) continue;
      if (sub.queue.push(line)) sub.dropped++;
      schedule(sub);
    }
  }

  function query(input: LogQueryInput = {}): LogEntry[] {
    const q = logQuerySchema.parse(input);
    const matches = matcher(q);
    const logs =
      q.service === undefined ? [...byService.values()] : [byService.get(q.service)].filter((l) => l !== undefined);
    const found: StoredLine[] = [];
    for (const log of logs) {
      let taken = 0;
      for (const line of log.lines.newestFirst()) {
        if (q.sinceId !== undefined && line.id <= q.sinceId) break; // ids only grow within a ring
        if (q.beforeId !== undefined && line.id >= q.beforeId) continue;
        if (q.since !== undefined && line.time < q.since) continue;
        if (!matches(line)) continue;
        found.push(line);
        if (++taken === q.limit) break;
      }
    }
    found.sort((a, b) => b.id - a.id);
    return found.slice(0, q.limit).map(toEntry);
  }

  function subscribe(filter: LogFilter, listener: LogListener): () => void {
    const sub: Subscription = {
      matches: matcher(filter),
      queue: new RingBuffer<StoredLine>(subscriberQueueLimit),
      dropped: 0,
      scheduled: false,
      busy: false,
      closed: false,
      listener,
    };
    subscriptions.add(sub);
    return () => {
      sub.closed = true;
      subscriptions.delete(sub);
    };
  }

  function stats(): LogStoreStats {
    const services: LogStoreStats['services'] = {};
    for (const [name, log] of byService) services[name] = { lines: log.lines.size, bytes: log.bytes };
    return { services, ingested: nextId - 1, droppedServices, subscribers: subscriptions.size };
  }

  return { ingest, query, subscribe, services: () => [...byService.keys()].sort(), stats };
}
