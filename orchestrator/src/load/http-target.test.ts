import { afterEach, describe, expect, it } from 'vitest';
import { localServers } from '../../../test-support/local-servers.ts';
import { createHttpTarget } from './http-target.ts';
import type { HttpTarget } from './http-target.ts';

const servers = localServers();
const targets: HttpTarget[] = [];
afterEach(async () => {
  for (const t of targets.splice(0)) await t.close();
  await servers.closeAll();
});

/** A server whose handler is given per test, as the generator's target (a path prefix included). */
const serve = async (handler: Parameters<typeof servers.serve>[0]) => `${await servers.serve(handler)}/prefix/`;

function target(url: string, connections = 4): HttpTarget {
  const t = createHttpTarget(url, connections);
  targets.push(t);
  return t;
}

/** Sends one request and resolves with what `done` got, and when (performance.now). */
function send(t: HttpTarget, req: Parameters<HttpTarget['send']>[0]) {
  let exchange: ReturnType<HttpTarget['send']> | null = null;
  const settled = new Promise<{ status: number; error: Error | null; at: number }>((resolve) => {
    exchange = t.send(req, (status, error) => resolve({ status, error, at: performance.now() }));
  });
  return { settled, abort: () => exchange?.abort() };
}

describe('http target', () => {
  it('settles with the status once the whole body has arrived, prefix and POST body included', async () => {
    let seen = '';
    const url = await serve((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        seen = `${req.method} ${req.url} ${req.headers['content-type']} ${body}`;
        res.writeHead(201, { 'content-type': 'text/plain' });
        res.write('first half, ');
        setTimeout(() => res.end('second half'), 60); // the end of the body comes 60 ms after the headers
      });
    });
    const t0 = performance.now();
    const { settled } = send(target(url), {
      journey: 'checkout',
      method: 'POST',
      path: '/api/orders',
      body: '{"a":1}',
    });
    const r = await settled;
    expect(r).toMatchObject({ status: 201, error: null });
    expect(r.at - t0).toBeGreaterThanOrEqual(55);
    expect(seen).toBe('POST /prefix/api/orders application/json {"a":1}');
  });

  it('abort() settles a started request at once, and a request still waiting for its connection', async () => {
    const url = await serve((req) => req.resume()); // never answers
    const t = target(url);
    const started = send(t, { journey: 'view', method: 'GET', path: '/api/products/1' });
    await new Promise((r) => setTimeout(r, 50));
    started.abort();
    expect((await started.settled).error).toBeInstanceOf(Error);

    // Aborted in the same tick as the send, while its (new) connection is still being made: onRequestStart has not
    // run yet, and it settles at once rather than when the connection is up; close() (afterEach) ends it.
    const queued = send(t, { journey: 'view', method: 'GET', path: '/api/products/2' });
    queued.abort();
    const r = await queued.settled;
    expect(r.status).toBe(0);
    expect(r.error).toBeInstanceOf(Error);
  });

  it('calls done exactly once, even when aborted after it settled', async () => {
    const url = await serve((req, res) => {
      req.resume();
      res.end('ok');
    });
    const t = target(url);
    let calls = 0;
    let resolve: () => void = () => {};
    const done = new Promise<void>((r) => (resolve = r));
    const exchange = t.send({ journey: 'view', method: 'GET', path: '/api/products/3' }, () => {
      calls++;
      resolve();
    });
    await done;
    exchange.abort();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toBe(1);
  });
});
