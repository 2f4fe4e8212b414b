import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { createOtlpTraceReceiver } from '../src/telemetry/traces/otlp-receiver.ts';
import { createTraceStore } from '../src/telemetry/traces/trace-store.ts';

const store = createTraceStore();
const exports: { spans: number; encoding: string }[] = [];
const contentEncodings: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const app = express();
  app.use((req, _res, next) => {
    contentEncodings.push(req.headers['content-encoding'] ?? 'identity');
    next();
  });
  app.use(createOtlpTraceReceiver({ store, onExport: (e) => exports.push(e) }));
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Three services, each with its own SDK, resource and exporter, as three SUT processes would have. */
async function exportCheckoutTrace(makeExporter: () => SpanExporter): Promise<string> {
  const providers = Object.fromEntries(
    ['gateway', 'api', 'inventory'].map((service) => [
      service,
      new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [new SimpleSpanProcessor({ exporter: makeExporter() })], // one export per span: several batches per trace, children first
      }),
    ]),
  );
  const tracer = (service: string) => providers[service]!.getTracer('observastack-test');
  const base = Math.floor(Date.now() / 1000);
  const at = (ms: number): HrTime => [base + Math.floor(ms / 1000), (ms % 1000) * 1_000_000];

  const root = tracer('gateway').startSpan(
    'POST /checkout',
    {
      kind: SpanKind.SERVER,
      startTime: at(0),
      attributes: { 'http.request.method': 'POST', 'http.response.status_code': 502 },
    },
    ROOT_CONTEXT,
  );
  const apiSpan = tracer('api').startSpan(
    'POST /orders',
    { kind: SpanKind.SERVER, startTime: at(5) },
    trace.setSpan(ROOT_CONTEXT, root),
  );
  const apiCtx = trace.setSpan(ROOT_CONTEXT, apiSpan);
  const reserve = tracer('inventory').startSpan(
    'POST /reservations',
    { kind: SpanKind.SERVER, startTime: at(10), attributes: { 'observastack.items': 3 } },
    apiCtx,
  );
  reserve.addEvent('exception', { 'exception.message': 'lock timeout' }, at(300));
  reserve.setStatus({ code: SpanStatusCode.ERROR, message: 'lock timeout' });
  reserve.end(at(310));
  const insert = tracer('api').startSpan(
    'pg.query:INSERT',
    { kind: SpanKind.CLIENT, startTime: at(320), attributes: { 'db.system.name': 'postgresql' } },
    apiCtx,
  );
  insert.end(at(330));
  apiSpan.end(at(340));
  root.end(at(350));
  await Promise.all(Object.values(providers).map((p) => p.forceFlush()));
  await Promise.all(Object.values(providers).map((p) => p.shutdown()));
  return root.spanContext().traceId;
}

function expectCheckoutTree(traceId: string) {
  const detail = store.getTrace(traceId);
  expect(detail).toBeDefined();
  expect(detail!.spans.map((s) => [s.service, s.name, s.kind, s.depth, s.offsetMs, s.durationMs, s.status])).toEqual([
    ['gateway', 'POST /checkout', 'server', 0, 0, 350, 'unset'],
    ['api', 'POST /orders', 'server', 1, 5, 335, 'unset'],
    ['inventory', 'POST /reservations', 'server', 2, 10, 300, 'error'],
    ['api', 'pg.query:INSERT', 'client', 2, 320, 10, 'unset'],
  ]);
  const [root, api, reserve, insert] = detail!.spans;
  expect(root!.parentSpanId).toBeUndefined();
  expect(api!.parentSpanId).toBe(root!.spanId);
  expect(reserve!.parentSpanId).toBe(api!.spanId);
  expect(insert!.parentSpanId).toBe(api!.spanId);
  expect(root!.attributes).toEqual({ 'http.request.method': 'POST', 'http.response.status_code': 502 });
  expect(reserve).toMatchObject({
    statusMessage: 'lock timeout',
    attributes: { 'observastack.items': 3 },
    scope: 'observastack-test',
  });
  expect(reserve!.events).toEqual([
    { timeMs: root!.startMs + 300, name: 'exception', attributes: { 'exception.message': 'lock timeout' } },
  ]);
  expect(detail).toMatchObject({
    traceId,
    rootService: 'gateway',
    rootName: 'POST /checkout',
    durationMs: 350,
    spanCount: 4,
    services: ['api', 'gateway', 'inventory'],
    error: true,
  });
  expect(store.search({ service: 'inventory', error: true, minDurationMs: 300 }).map((s) => s.traceId)).toContain(
    traceId,
  );
}

describe('OTLP/HTTP trace receiver with the real OpenTelemetry exporters', () => {
  it('receives protobuf exports of a nested three-service trace and rebuilds its tree', async () => {
    exports.length = 0;
    const traceId = await exportCheckoutTrace(() => new ProtoExporter({ url }));
    expect(exports.length).toBe(4);
    expect(new Set(exports.map((e) => e.encoding))).toEqual(new Set(['protobuf']));
    expectCheckoutTree(traceId);
  });

  it('receives gzip-compressed JSON exports of the same trace shape', async () => {
    exports.length = 0;
    contentEncodings.length = 0;
    const traceId = await exportCheckoutTrace(() => new JsonExporter({ url, compression: 'gzip' as never }));
    expect(new Set(exports.map((e) => e.encoding))).toEqual(new Set(['json']));
    expect(new Set(contentEncodings)).toEqual(new Set(['gzip']));
    expectCheckoutTree(traceId);
  });
});

describe('OTLP/HTTP trace receiver errors', () => {
  const post = (body: BodyInit, contentType: string) =>
    fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });

  it('answers a valid empty request with an empty response in the request encoding', async () => {
    const proto = await post(new Uint8Array(0), 'application/x-protobuf');
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    expect((await proto.arrayBuffer()).byteLength).toBe(0);
    const json = await post('{"resourceSpans":[]}', 'application/json; charset=utf-8');
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({});
  });

  it('rejects garbage with 400 and a google.rpc.Status body', async () => {
    const proto = await post('this is not protobuf', 'application/x-protobuf');
    expect(proto.status).toBe(400);
    expect(proto.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    const json = await post('{"resourceSpans": [', 'application/json');
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ code: 3, message: expect.stringMatching(/malformed json body/) });
    const badId = await post(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              { spans: [{ traceId: 'zz', spanId: 'ab'.repeat(8), startTimeUnixNano: '1', endTimeUnixNano: '2' }] },
            ],
          },
        ],
      }),
      'application/json',
    );
    expect(badId.status).toBe(400);
    expect((await badId.json()).message).toMatch(/traceId: must be 32 hex characters/);
  });

  it('rejects other content types with 415 and bodies over the limit with 413', async () => {
    const before = store.stats().spans;
    const text = await post('hello', 'text/plain');
    expect(text.status).toBe(415);
    expect((await text.json()).message).toMatch(/unsupported content type 'text\/plain'/);
    const big = await post(new Uint8Array(5 * 1024 * 1024), 'application/x-protobuf');
    expect(big.status).toBe(413);
    expect(store.stats().spans).toBe(before);
  });
});
