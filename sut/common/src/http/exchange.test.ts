import { Agent, Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { localServers } from '../../../../test-support/local-servers.ts';
import { exchange } from './exchange.ts';

const servers = localServers();
const serve = servers.serve;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await servers.closeAll();
});

function pool(origin: string, connections: number): Pool {
  const p = new Pool(origin, { connections, pipelining: 1 });
  closers.push(() => p.destroy());
  return p;
}

describe('exchange', () => {
  it('resolves with the status, the headers and the whole body once it has ended', async () => {
    const origin = await serve((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '3' });
        res.write(`{"got":"${req.method} ${req.url} ${body}",`);
        setTimeout(() => res.end('"tail":true}'), 30); // the body in two chunks, the second one 30 ms later
      });
    });
    const agent = new Agent();
    closers.push(() => agent.close());
    const answer = await exchange(agent, { origin, path: '/a?b=1', method: 'POST', body: 'hello', headers: {} });
    expect(answer.statusCode).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['retry-after']).toBe('3');
    expect(JSON.parse(answer.body.toString())).toEqual({ got: 'POST /a?b=1 hello', tail: true });
  });

  it('rejects with a TimeoutError after timeoutMs, and with the reason of an aborted signal', async () => {
    const origin = await serve((req) => req.resume()); // never answers
    const p = pool(origin, 2);
    const t0 = performance.now();
    const late = await exchange(p, { path: '/', method: 'GET', timeoutMs: 50 }).catch((e: Error) => e);
    expect(late).toMatchObject({ name: 'TimeoutError' });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);

    const controller = new AbortController();
    const gone = exchange(p, { path: '/', method: 'GET', signal: controller.signal }).catch((e: Error) => e);
    setTimeout(() => controller.abort(new Error('client gone')), 20);
    expect(await gone).toMatchObject({ message: 'client gone' });
    const already = await exchange(p, { path: '/', method: 'GET', signal: controller.signal }).catch((e) => e);
    expect(already).toMatchObject({ message: 'client gone' });
  });

  it('rejects when the connection is reset in the middle of the body', async () => {
    const origin = await serve((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part of it');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    await expect(exchange(pool(origin, 1), { path: '/', method: 'GET' })).rejects.toBeInstanceOf(Error);
  });

  it('drops a request abandoned while queued without sending it, and keeps the connection for the next', async () => {
    const sockets = new Set<unknown>();
    const paths: string[] = [];
    const origin = await serve((req, res) => {
      sockets.add(req.socket);
      paths.push(req.url ?? '');
      req.resume();
      setTimeout(() => res.end('ok'), 80); // the first request holds the only connection for 80 ms
    });
    const p = pool(origin, 1);
    const first = exchange(p, { path: '/1', method: 'GET' });
    await new Promise((r) => setTimeout(r, 20));
    const queued = await exchange(p, { path: '/2', method: 'GET', timeoutMs: 10 }).catch((e: Error) => e);
    expect(queued).toMatchObject({ name: 'TimeoutError' });
    expect((await first).statusCode).toBe(200);
    expect((await exchange(p, { path: '/3', method: 'GET' })).statusCode).toBe(200);
    expect(paths).toEqual(['/1', '/3']);
    expect(sockets.size).toBe(1);
  });
});
