import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { drainMaxMs, drainQuietMs, keepAliveDrain } from './drain.ts';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function listening(): Promise<{ port: number; drain: () => Promise<void> }> {
  server = createServer((_req, res) => setImmediate(() => res.end('ok')));
  const drainer = keepAliveDrain([server]);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, drain: drainer.drain };
}

/** One GET on a keep-alive connection: the `connection` header the server answered with. */
function get(port: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ port, host: '127.0.0.1', path: '/', headers: { connection: 'keep-alive' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers.connection));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('keepAliveDrain', () => {
  it('keeps connections alive until the drain, then answers every request with Connection: close', async () => {
    const { port, drain } = await listening();
    expect(await get(port)).toBe('keep-alive');
    const draining = drain();
    expect(await get(port)).toBe('close');
    await draining;
  });

  it('ends as soon as nobody sends for a moment, and never later than its bound under steady traffic', async () => {
    const { port, drain } = await listening();
    let t0 = performance.now();
    await drain();
    const quiet = performance.now() - t0;
    expect(quiet).toBeGreaterThanOrEqual(drainQuietMs - 5);
    expect(quiet).toBeLessThan(drainMaxMs);

    let stop = false;
    const traffic = (async () => {
      while (!stop) await get(port);
    })();
    t0 = performance.now();
    await drain();
    const busy = performance.now() - t0;
    stop = true;
    await traffic;
    expect(busy).toBeGreaterThanOrEqual(drainMaxMs - 5);
  });
});
