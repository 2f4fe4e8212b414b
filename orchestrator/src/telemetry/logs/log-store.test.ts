import { describe, expect, it, vi } from 'vitest';
import { createLogStore } from './log-store.ts';
import type { LogEntry } from './log-entry.ts';

const traceA = 'a'.repeat(32);
const pino = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 'info', time: 1_700_000_000_000, service: 'api', msg: 'x', ...fields });

describe('createLogStore', () => {
  it('parses pino lines and keeps other fields', () => {
    const store = createLogStore();
    store.ingest(
      'api',
      pino({
        level: 'warn',
        msg: 'slow query',
        trace_id: traceA.toUpperCase(),
        span_id: 'b'.repeat(16),
        durationMs: 812,
        pid: 7,
      }),
    );
    const [entry] = store.query();
    expect(entry).toEqual({
      id: 1,
      time: 1_700_000_000_000,
      service: 'api',
      level: 'warn',
      msg: 'slow query',
      traceId: traceA,
      spanId: 'b'.repeat(16),
      stream: 'stdout',
      fields: { durationMs: 812 },
      truncated: false,
    });
  });

  it('keeps non-JSON lines whole, info on stdout and error on stderr', () => {
    const store = createLogStore({ now: () => 42 });
    store.ingest('inventory', 'listening on 8082');
    store.ingest('inventory', 'TypeError: boom', 'stderr');
    store.ingest('inventory', '   ');
    expect(store.query().map((e) => [e.msg, e.level, e.stream, e.time])).toEqual([
      ['TypeError: boom', 'error', 'stderr', 42],
      ['listening on 8082', 'info', 'stdout', 42],
    ]);
  });

  it('bounds each service by line count, evicting the oldest', () => {
    const store = createLogStore({ perServiceLimit: 3 });
    for (let i = 1; i <= 5; i++) store.ingest('api', pino({ msg: `m${i}` }));
    store.ingest('gateway', pino({ msg: 'g1' }));
    expect(store.query({ service: 'api' }).map((e) => e.msg)).toEqual(['m5', 'm4', 'm3']);
    expect(store.query().map((e) => e.id)).toEqual([6, 5, 4, 3]);
    expect(store.stats().services.api!.lines).toBe(3);
  });

  it('bounds each service by bytes and cuts over-long lines', () => {
    const store = createLogStore({ perServiceMaxBytes: 2000, maxLineChars: 100 });
    for (let i = 0; i < 20; i++) store.ingest('api', pino({ msg: `line ${i}`, pad: 'z'.repeat(200) }));
    const stats = store.stats().services.api!;
    expect(stats.bytes).toBeLessThanOrEqual(2000);
    expect(stats.lines).toBeLessThan(20);
    const [newest] = store.query({ limit: 1 });
    expect(newest).toMatchObject({ msg: 'line 19', truncated: true, fields: {} });
  });

  it('filters by minimum level, text over message and raw line, trace id, ids and time', () => {
    const store = createLogStore();
    store.ingest('api', pino({ level: 'debug', msg: 'cache miss', time: 1000 }));
    store.ingest('api', pino({ level: 'error', msg: 'Checkout FAILED', trace_id: traceA, time: 2000 }));
    store.ingest('gateway', pino({ level: 'warn', msg: 'upstream slow', route: '/checkout', time: 3000 }));
    store.ingest('gateway', pino({ level: 30, msg: 'ok', time: 4000 }));
    const msgs = (q: Parameters<typeof store.query>[0]) => store.query(q).map((e) => e.msg);
    expect(msgs({ level: 'warn' })).toEqual(['upstream slow', 'Checkout FAILED']);
    expect(msgs({ text: 'checkout' })).toEqual(['upstream slow', 'Checkout FAILED']);
    expect(msgs({ traceId: traceA.toUpperCase() })).toEqual(['Checkout FAILED']);
    expect(msgs({ service: 'gateway', level: 'info' })).toEqual(['ok', 'upstream slow']);
    expect(msgs({ sinceId: 2 })).toEqual(['ok', 'upstream slow']);
    expect(msgs({ beforeId: 3 })).toEqual(['Checkout FAILED', 'cache miss']);
    expect(msgs({ since: 2500 })).toEqual(['ok', 'upstream slow']);
    expect(msgs({ limit: 2 })).toEqual(['ok', 'upstream slow']);
    expect(msgs({ service: 'nobody' })).toEqual([]);
    expect(msgs({ text: 'a.c' })).toEqual([]); // text is literal, not a pattern
  });

  it('rejects invalid queries', () => {
    const store = createLogStore();
    expect(() => store.query({ limit: 5000 })).toThrow(/1000/);
    expect(() => store.query({ traceId: 'xyz' })).toThrow(/32 hex/);
  });

  it('drops lines of services beyond the service cap', () => {
    const store = createLogStore({ maxServices: 1 });
    store.ingest('api', 'a');
    store.ingest('other', 'b');
    expect(store.services()).toEqual(['api']);
    expect(store.stats().droppedServices).toBe(1);
  });

  it('delivers matching lines to subscribers in arrival order until unsubscribed', async () => {
    const store = createLogStore();
    const got: LogEntry[] = [];
    const unsubscribe = store.subscribe({ service: 'api', level: 'warn' }, (batch) => void got.push(...batch));
    store.ingest('api', pino({ level: 'warn', msg: 'one' }));
    store.ingest('api', pino({ level: 'info', msg: 'skip' }));
    store.ingest('gateway', pino({ level: 'error', msg: 'other service' }));
    store.ingest('api', pino({ level: 'error', msg: 'two' }));
    expect(got).toEqual([]); // delivery is never inside ingest
    await new Promise((r) => setImmediate(r));
    expect(got.map((e) => e.msg)).toEqual(['one', 'two']);
    unsubscribe();
    store.ingest('api', pino({ level: 'error', msg: 'three' }));
    await new Promise((r) => setImmediate(r));
    expect(got.map((e) => e.msg)).toEqual(['one', 'two']);
    expect(store.stats().subscribers).toBe(0);
  });

  it('never lets a slow subscriber hold lines without bound, and reports what it dropped', async () => {
    const store = createLogStore({ subscriberQueueLimit: 5 });
    const batches: { msgs: string[]; dropped: number }[] = [];
    let release!: () => void;
    store.subscribe({}, (batch, info) => {
      batches.push({ msgs: batch.map((e) => e.msg), dropped: info.dropped });
      return batches.length === 1 ? new Promise<void>((r) => (release = r)) : undefined;
    });
    store.ingest('api', 'first');
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 12; i++) store.ingest('api', `n${i}`); // the listener is still busy with its first batch
    await new Promise((r) => setImmediate(r));
    expect(batches).toHaveLength(1);
    release();
    // The next batch follows the release through a microtask and a setImmediate; wait on that, not on a clock
    // (a timer can fire first when the loop's cached time is stale on a busy machine).
    await vi.waitFor(() => expect(batches).toHaveLength(2));
    expect(batches[1]).toEqual({ msgs: ['n7', 'n8', 'n9', 'n10', 'n11'], dropped: 7 });
  });

  it('keeps ingesting when a subscriber throws', async () => {
    const store = createLogStore();
    store.subscribe({}, () => {
      throw new Error('broken socket');
    });
    store.ingest('api', 'a');
    await new Promise((r) => setImmediate(r));
    store.ingest('api', 'b');
    expect(store.query().map((e) => e.msg)).toEqual(['b', 'a']);
  });
});
