import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Pool } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countingProvider } from './counting-provider.ts';
import { nameServerSpan, traceRequests, tracedExchange } from './http-spans.ts';

const { provider, exporter, samplerCalls, reset } = countingProvider();

// Two real servers, as two services: `front` answers /things/:id by calling `back` through tracedExchange.
let back: Server;
let front: Server;
let backPool: Pool;
let frontUrl = '';
let backOrigin = '';
/** The traceparent header each request to `back` carried. */
const seenByBack: (string | undefined)[] = [];

const listen = async (listener: RequestListener) => {
  const server = createServer(traceRequests(listener));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const b = await listen((req, res) => {
    seenByBack.push(req.headers.traceparent as string | undefined);
    nameServerSpan('GET', '/stock/:id');
    res.statusCode = req.url?.startsWith('/stock/500') ? 500 : 200;
    res.end('{}');
  });
  back = b.server;
  backOrigin = b.url;
  backPool = new Pool(backOrigin);
  const f = await listen((req, res) => {
    if (req.url === '/hang') return void setTimeout(() => res.destroy(), 10);
    nameServerSpan('GET', '/things/:id');
    const id = req.url?.split('/')[2]?.split('?')[0];
    tracedExchange(backPool, { origin: backOrigin, path: `/stock/${id}`, method: 'GET', headers: {} }).then(
      (answer) => {
        res.statusCode = answer.statusCode;
        res.end(answer.body);
      },
      () => {
        res.statusCode = 502;
        res.end();
      },
    );
  });
  front = f.server;
  frontUrl = f.url;
});
afterAll(async () => {
  await backPool.close();
  for (const s of [front, back]) await new Promise((r) => s.close(r));
  trace.disable();
  context.disable();
  propagation.disable();
});
beforeEach(() => {
  reset();
  seenByBack.length = 0;
});

const traceId = 'a1'.repeat(16);
const callerSpanId = 'b2'.repeat(8);
const get = (path: string, flags: '00' | '01') =>
  fetch(`${frontUrl}${path}`, { headers: { traceparent: `00-${traceId}-${callerSpanId}-${flags}` } });
/** Spans end after the answer is on its way: wait until `n` are exported. */
async function spans(n: number): Promise<ReadableSpan[]> {
  for (let i = 0; i < 100 && exporter.getFinishedSpans().length < n; i++) await new Promise((r) => setTimeout(r, 10));
  return exporter.getFinishedSpans();
}
const byName = (all: ReadableSpan[], name: string) => {
  const s = all.find((x) => x.name === name);
  if (!s) throw new Error(`no span ${name} in ${all.map((x) => x.name).join(', ')}`);
  return s;
};

describe('HTTP spans across two services', () => {
  it('a sampled request: server span, client span, next server span, one trace, each the parent of the next', async () => {
    const r = await get('/things/7?page=2', '01');
    expect(r.status).toBe(200);
    const all = await spans(3);
    expect(all).toHaveLength(3);
    const frontServer = byName(all, 'GET /things/:id');
    const client = byName(all, 'GET');
    const backServer = byName(all, 'GET /stock/:id');
    for (const s of all) expect(s.spanContext().traceId).toBe(traceId);
    expect(frontServer.parentSpanContext?.spanId).toBe(callerSpanId);
    expect(client.parentSpanContext?.spanId).toBe(frontServer.spanContext().spanId);
    expect(backServer.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(seenByBack).toEqual([`00-${traceId}-${client.spanContext().spanId}-01`]);
    expect(frontServer.kind).toBe(1); // SERVER
    expect(client.kind).toBe(2); // CLIENT
    expect(frontServer.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/things/:id',
      'url.path': '/things/7',
      'url.query': 'page=2',
      'server.address': '127.0.0.1',
      'http.response.status_code': 200,
    });
    expect(client.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${backOrigin}/stock/7`,
      'http.response.status_code': 200,
    });
    expect(frontServer.status.code).toBe(0);
  });

  it("an unsampled request: no span but the two servers' own decisions, and the trace id still reaches the next service", async () => {
    const r = await get('/things/8', '00');
    expect(r.status).toBe(200);
    await new Promise((res) => setTimeout(res, 50));
    expect(exporter.getFinishedSpans()).toEqual([]);
    // One sampler call per server span; tracedExchange started none (with a client span it would be 3).
    expect(samplerCalls()).toBe(2);
    expect(seenByBack).toHaveLength(1);
    expect(seenByBack[0]).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
  });

  it('a 5xx answer marks both the client span and the answering server span as errors', async () => {
    const r = await get('/things/500', '01');
    expect(r.status).toBe(500);
    const all = await spans(3);
    expect(byName(all, 'GET /stock/:id').status.code).toBe(2);
    expect(byName(all, 'GET').status.code).toBe(2);
    expect(byName(all, 'GET').attributes['error.type']).toBe('500');
    expect(byName(all, 'GET /things/:id').status.code).toBe(2);
  });

  it('a call that fails in transport is an error client span with the exception', async () => {
    const closed = new Pool('http://127.0.0.1:1');
    const root = trace.getTracer('t').startSpan('root');
    await expect(
      context.with(trace.setSpan(context.active(), root), () =>
        tracedExchange(closed, { origin: 'http://127.0.0.1:1', path: '/x', method: 'GET', headers: {} }),
      ),
    ).rejects.toThrow();
    root.end();
    await closed.close();
    const client = byName(await spans(2), 'GET');
    expect(client.status.code).toBe(2);
    expect(client.events.map((e) => e.name)).toContain('exception');
  });

  it('a connection closed before the answer ends the server span as an error', async () => {
    await expect(get('/hang', '01')).rejects.toThrow();
    const [server] = await spans(1);
    expect(server.status).toMatchObject({ code: 2, message: 'connection closed before the answer was sent' });
  });

  it('/healthz and /metrics start no span at all', async () => {
    const health = await listen((_req, res) => res.end(String(trace.getActiveSpan() === undefined)));
    try {
      for (const path of ['/healthz', '/metrics?x=1']) {
        const r = await fetch(`${health.url}${path}`, { headers: { traceparent: `00-${traceId}-${callerSpanId}-01` } });
        expect(await r.text()).toBe('true');
      }
      expect(samplerCalls()).toBe(0);
    } finally {
      await new Promise((r) => health.server.close(r));
    }
  });
});
