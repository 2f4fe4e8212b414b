import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createServiceApp } from './service-app.ts';

const quiet = { info() {}, error() {}, warn() {} } as never;
const app = createServiceApp({ logger: quiet, metrics: { httpDuration: { observe() {} } as never } });
app.get('/ping', async () => 'pong');
beforeAll(() => app.listen({ port: 0, host: '127.0.0.1' }));
afterAll(() => app.close());

// The app builds its own server (so each request runs inside its span); that server keeps the timeouts fastify
// gives the servers it makes itself, and not Node's 5 s keep-alive, which would make every caller's pool
// reconnect after a few idle seconds.
it("keeps fastify's keep-alive of 72 s and no request timeout", async () => {
  expect(app.server.keepAliveTimeout).toBe(72_000);
  expect(app.server.requestTimeout).toBe(0);
  const r = await fetch(`http://127.0.0.1:${(app.server.address() as AddressInfo).port}/ping`);
  expect(await r.text()).toBe('pong');
  expect(r.headers.get('keep-alive')).toBe('timeout=72');
});
