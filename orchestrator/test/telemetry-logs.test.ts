import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pipeLines } from '@observastack/sut-common/launcher/start-sut.ts';
import { createLogStore } from '../src/telemetry/logs/log-store.ts';
import type { LogEntry } from '../src/telemetry/logs/log-entry.ts';

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

// A stand-in SUT process writing pino-format lines (level label, epoch-ms time, service, trace ids) and a crash
// message on stderr, the way the supervised services do.
const script = `
const line = (o) => process.stdout.write(JSON.stringify({ time: Date.now(), service: 'api', pid: process.pid, hostname: 'h', ...o }) + '\\n');
line({ level: 'info', msg: 'listening', port: 8081 });
line({ level: 'info', msg: 'request completed', trace_id: '${traceId}', span_id: '00f067aa0ba902b7', statusCode: 200, responseTime: 12.5 });
line({ level: 'warn', msg: 'inventory call slow', trace_id: '${traceId}', span_id: '1111111111111111', durationMs: 950 });
process.stderr.write('Error: connect ECONNREFUSED 127.0.0.1:8082\\n    at TCPConnectWrap.afterConnect\\n');
line({ level: 'error', msg: 'request failed', trace_id: 'ffffffffffffffffffffffffffffffff', err: { type: 'Error', message: 'pool timeout' } });
`;

describe('log store fed by a real child process', () => {
  it('stores pino lines and stderr text, queryable by trace id, text and level, and tails them live', async () => {
    const store = createLogStore();
    const tailed: LogEntry[] = [];
    const unsubscribe = store.subscribe({ service: 'api', level: 'warn' }, (batch) => void tailed.push(...batch));
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The supervisor's own line splitter feeds the store, as on the platform.
    pipeLines(child.stdout!, (l) => store.ingest('api', l, 'stdout'));
    pipeLines(child.stderr!, (l) => store.ingest('api', l, 'stderr'));
    const [code] = await once(child, 'close');
    expect(code).toBe(0);
    await new Promise((r) => setImmediate(r));
    unsubscribe();

    const byTrace = store.query({ traceId: traceId.toUpperCase() });
    expect(byTrace.map((e) => [e.level, e.msg, e.spanId])).toEqual([
      ['warn', 'inventory call slow', '1111111111111111'],
      ['info', 'request completed', '00f067aa0ba902b7'],
    ]);
    expect(byTrace[1]!.fields).toEqual({ statusCode: 200, responseTime: 12.5 });

    expect(store.query({ text: 'econnrefused' }).map((e) => [e.msg, e.level, e.stream])).toEqual([
      ['Error: connect ECONNREFUSED 127.0.0.1:8082', 'error', 'stderr'],
    ]);
    expect(store.query({ text: 'POOL TIMEOUT' }).map((e) => e.msg)).toEqual(['request failed']); // found in the raw line
    expect(store.query({ level: 'error' })).toHaveLength(3);
    expect(store.query({ service: 'api' })).toHaveLength(6);

    // stdout and stderr are separate pipes: lines keep their order within a stream, not across streams.
    expect(tailed.filter((e) => e.stream === 'stdout').map((e) => e.msg)).toEqual([
      'inventory call slow',
      'request failed',
    ]);
    expect(tailed.filter((e) => e.stream === 'stderr').map((e) => e.msg)).toEqual([
      'Error: connect ECONNREFUSED 127.0.0.1:8082',
      '    at TCPConnectWrap.afterConnect',
    ]);
    expect(tailed.map((e) => e.id)).toEqual([...tailed.map((e) => e.id)].sort((a, b) => a - b));
  });
});
