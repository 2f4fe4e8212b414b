import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogsTracesRoutes } from '../src/telemetry/http/logs-traces-routes.ts';
import { createLogStore } from '../src/telemetry/logs/log-store.ts';
import { createTraceStore } from '../src/telemetry/traces/trace-store.ts';
import { createPgStats, type PgStats } from '../src/telemetry/db/pg-stats.ts';
import { pgSnapshotSchema } from '../src/telemetry/db/pg-snapshot.ts';
import { logEntrySchema } from '../src/telemetry/logs/log-entry.ts';
import { traceDetailSchema, traceSummarySchema } from '../src/telemetry/traces/span.ts';
import { otlpTraceRequestSchema } from '../src/telemetry/traces/otlp-json.ts';
import { normalizeTraceRequest } from '../src/telemetry/traces/otlp-normalize.ts';

const traceId = '5b8efff798038103d269b633813fc60c';
const servers: Server[] = [];
const pgStatsList: PgStats[] = [];
let base: string;
let baseNoDb: string;

async function serve(deps: Parameters<typeof createLogsTracesRoutes>[0]): Promise<string> {
  const app = express();
  app.use('/api/telemetry', createLogsTracesRoutes(deps));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/telemetry`;
}

/** A port with nothing listening: taken, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const { port } = srv.address() as AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

beforeAll(async () => {
  const logs = createLogStore();
  logs.ingest('gateway', JSON.stringify({ level: 'info', time: 1000, msg: 'proxied', trace_id: traceId }));
  logs.ingest('api', JSON.stringify({ level: 'error', time: 2000, msg: 'checkout failed', trace_id: traceId }));
  logs.ingest('api', 'plain text line');
  const traces = createTraceStore();
  const nanos = (ms: number) => String(BigInt(ms) * 1_000_000n);
  const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
  traces.add(
    normalizeTraceRequest(
      otlpTraceRequestSchema.parse({
        resourceSpans: [
          {
            resource: resource('gateway'),
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: 'a'.repeat(16),
                    name: 'POST /checkout',
                    kind: 2,
                    startTimeUnixNano: nanos(1000),
                    endTimeUnixNano: nanos(1400),
                  },
                ],
              },
            ],
          },
          {
            resource: resource('api'),
            scopeSpans: [
              {
                spans: [
                  {
                    traceId,
                    spanId: 'b'.repeat(16),
                    parentSpanId: 'a'.repeat(16),
                    name: 'POST /orders',
                    kind: 2,
                    startTimeUnixNano: nanos(1010),
                    endTimeUnixNano: nanos(1390),
                    status: { code: 2 },
                  },
                ],
              },
            ],
          },
        ],
      }),
    ),
  );
  const pgStats = createPgStats(inject('shopDatabaseUrl'));
  const deadUrl = new URL(inject('shopDatabaseUrl'));
  deadUrl.port = String(await closedPort());
  const deadStats = createPgStats(deadUrl.toString());
  pgStatsList.push(pgStats, deadStats);
  base = await serve({ logs, traces, pgStats });
  baseNoDb = await serve({ logs, traces, pgStats: deadStats });
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await Promise.all(pgStatsList.map((p) => p.close()));
});

const get = async (url: string) => {
  const res = await fetch(url);
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown> & {
      error?: { code: string; message: string; issues?: unknown[] };
    },
  };
};

describe('GET /api/telemetry/logs', () => {
  it('filters by service, level, text and trace id, newest first', async () => {
    const all = await get(`${base}/logs`);
    expect(all.status).toBe(200);
    const entries = logEntrySchema.array().parse(all.body.entries);
    expect(entries.map((e) => e.msg)).toEqual(['plain text line', 'checkout failed', 'proxied']);
    expect(all.body.services).toEqual(['api', 'gateway']);
    const q = async (qs: string) =>
      ((await get(`${base}/logs?${qs}`)).body.entries as { msg: string }[]).map((e) => e.msg);
    expect(await q(`traceId=${traceId}&service=api`)).toEqual(['checkout failed']);
    expect(await q('level=error')).toEqual(['checkout failed']);
    expect(await q('text=PLAIN&limit=1')).toEqual(['plain text line']);
    expect(await q('since=1500&service=gateway')).toEqual([]);
  });

  it('answers 400 with the issues on invalid parameters', async () => {
    const { status, body } = await get(`${base}/logs?level=loud&limit=5000`);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code: 'invalid_query', message: 'invalid log query' });
    expect(body.error!.issues!.map((i) => (i as { path: string }).path).sort()).toEqual(['level', 'limit']);
    expect((await get(`${base}/logs?limit=2&limit=3`)).status).toBe(400);
  });
});

describe('GET /api/telemetry/traces', () => {
  it('searches and returns the waterfall of one trace', async () => {
    const found = await get(`${base}/traces?service=api&error=true&minDurationMs=100`);
    expect(found.status).toBe(200);
    expect(traceSummarySchema.array().parse(found.body.traces)).toEqual([
      {
        traceId,
        rootService: 'gateway',
        rootName: 'POST /checkout',
        startMs: 1000,
        durationMs: 400,
        spanCount: 2,
        services: ['api', 'gateway'],
        error: true,
      },
    ]);
    expect((await get(`${base}/traces?error=false`)).body.traces).toEqual([]);
    const detail = await get(`${base}/traces/${traceId.toUpperCase()}`);
    expect(detail.status).toBe(200);
    expect(traceDetailSchema.parse(detail.body).spans.map((s) => [s.service, s.depth, s.offsetMs])).toEqual([
      ['gateway', 0, 0],
      ['api', 1, 10],
    ]);
  });

  it('answers 400 for a malformed id or query and 404 with a reason for an unknown trace', async () => {
    const bad = await get(`${base}/traces/not-a-trace`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_trace_id' });
    const unknown = await get(`${base}/traces/${'0'.repeat(31)}1`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({
      code: 'trace_not_found',
      message: expect.stringMatching(/never received, or it was evicted/),
    });
    expect((await get(`${base}/traces?error=maybe`)).status).toBe(400);
  });
});

describe('GET /api/telemetry/db', () => {
  it('returns a snapshot of the shop database', async () => {
    // A connection of our own, open and idle before the snapshot, is what the view must list. (The telemetry
    // pool's own second connection may still be opening while the snapshot's queries run on a busy machine.)
    const probe = new pg.Client({ connectionString: inject('shopDatabaseUrl'), application_name: 'db-view-probe' });
    await probe.connect();
    try {
      const { status, body } = await get(`${base}/db`);
      expect(status).toBe(200);
      const snap = pgSnapshotSchema.parse(body);
      expect(snap.tables.map((t) => t.table)).toEqual(['inventory.stock']);
      expect(snap.connections.find((c) => c.application === 'db-view-probe')).toMatchObject({ idle: 1, total: 1 });
    } finally {
      await probe.end();
    }
  });

  it('answers 503 when the database does not answer', async () => {
    const { status, body } = await get(`${baseNoDb}/db`);
    expect(status).toBe(503);
    expect(body.error).toMatchObject({ code: 'db_unreachable' });
  });
});
