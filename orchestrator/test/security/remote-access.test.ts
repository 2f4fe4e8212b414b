import { createServer, request, type Server } from 'node:http';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type AppParts } from '../../src/app.ts';
import { compileTrust } from '../../src/access/forwarded.ts';
import { expectRefused, send, type Answer } from '../../../test-support/hostile-input.ts';

// The access model of issue 16 on a real listener with stand-in routes: a public URL (as Gitpod's), a trusted
// reverse proxy at 127.0.0.1, an untrusted peer at 127.0.0.2 (Linux routes all of 127/8 to lo), the learner key.
const secret = new Uint8Array(32).fill(9);
const publicOrigin = 'https://4000-ws-1.gitpod.example';
const publicHost = '4000-ws-1.gitpod.example';
const key = 'learner-key-0123456789abcdef';
const servers: Server[] = [];
let writes = 0;

async function serve(extra: Partial<AppParts> = {}): Promise<string> {
  const api = Router()
    .get('/health', (_req, res) => void res.json({ status: 'ok' }))
    .get('/telemetry/loadgen/metrics', (_req, res) => void res.type('text/plain').send('loadgen_requests_total 1\n'))
    .get('/thing', (_req, res) => void res.json({ ok: true }))
    .post('/thing', (_req, res) => void res.json({ ok: ++writes }));
  const app = buildApp({
    allowedOrigins: () => new Set([publicOrigin]),
    publicOrigins: () => new Set([publicOrigin]),
    secret,
    api: [api],
    log: () => {},
    trustProxy: compileTrust(['127.0.0.1/32']),
    learnerKey: key,
    keyHint: 'the start banner',
    ...extra,
  });
  const srv = createServer(app);
  servers.push(srv);
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
  return `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
}

/** A request from a chosen local address (the peer the platform sees). */
function from(
  localAddress: string,
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}${path}`,
      {
        method,
        localAddress,
        headers: {
          ...headers,
          ...(body ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (d) => (text += d))
          .on('end', () => {
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode!, headers: res.headers, text, json });
          });
      },
    );
    req.on('error', reject).end(body);
  });
}

/** What a reverse proxy like Gitpod's adds in front of the platform. */
const viaProxy = {
  host: publicHost,
  'x-forwarded-host': publicHost,
  'x-forwarded-proto': 'https',
  'x-forwarded-for': '203.0.113.7',
  origin: publicOrigin,
};
const json = (body: unknown) => JSON.stringify(body);

let base: string;
beforeAll(async () => {
  base = await serve();
});
afterAll(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
});

describe('through the public URL (trusted proxy)', () => {
  it('without a key -> 401 saying where the key is; with the key -> a session that can write', async () => {
    const none = await from('127.0.0.1', base, 'POST', '/api/session', viaProxy);
    expectRefused(none, 401);
    expect(none.json.error.code).toBe('learner_key_required');
    expect(none.json.error.message).toMatch(/learner key.*the start banner/);
    const ok = await from('127.0.0.1', base, 'POST', '/api/session', viaProxy, json({ key }));
    expect(ok.status, ok.text).toBe(200);
    const before = writes;
    const w = await from('127.0.0.1', base, 'POST', '/api/thing', {
      ...viaProxy,
      authorization: `Bearer ${ok.json.token}`,
    });
    expect(w.status, w.text).toBe(200);
    expect(writes).toBe(before + 1);
  });
  it('a foreign Origin through the proxy -> 403, even with the key', async () => {
    expectRefused(
      await from(
        '127.0.0.1',
        base,
        'POST',
        '/api/session',
        { ...viaProxy, origin: 'https://evil.example' },
        json({ key }),
      ),
      403,
    );
  });
  it('a Host that is neither loopback nor public -> 403', async () => {
    const r = await from('127.0.0.1', base, 'GET', '/api/thing', { ...viaProxy, 'x-forwarded-host': 'evil.example' });
    expectRefused(r, 403);
    expect(r.json.error.code).toBe('forbidden_host');
  });
  it('a body that is not {key} -> 400 naming the field, no session', async () => {
    const r = await from('127.0.0.1', base, 'POST', '/api/session', viaProxy, json({ key, admin: true }));
    expectRefused(r, 400);
    expect(JSON.stringify(r.json.error.issues)).toMatch(/admin/);
    const t = await from('127.0.0.1', base, 'POST', '/api/session', viaProxy, json({ key: 42 }));
    expectRefused(t, 400);
    expect(t.json.error.issues[0].path).toBe('key');
  });
});

describe('forwarding headers from an untrusted peer', () => {
  it('are not honoured: X-Forwarded-Host cannot make a foreign Host look public', async () => {
    const r = await from('127.0.0.2', base, 'GET', '/api/thing', {
      host: 'evil.example',
      'x-forwarded-host': publicHost,
      'x-forwarded-proto': 'https',
    });
    expectRefused(r, 403);
    expect(r.json.error.code).toBe('forbidden_host');
  });
  it('a forged X-Forwarded-For/-Host claiming loopback never lifts the key requirement', async () => {
    const r = await from('127.0.0.2', base, 'POST', '/api/session', {
      host: publicHost,
      origin: publicOrigin,
      'x-forwarded-for': '127.0.0.1',
      'x-forwarded-host': base.slice(7),
    });
    expectRefused(r, 401);
    // The same headers from the trusted proxy are honoured (Host then loopback) yet still need the key:
    // a request that came through any proxy is not the learner's own browser.
    expectRefused(
      await from('127.0.0.1', base, 'POST', '/api/session', {
        host: publicHost,
        'x-forwarded-for': '127.0.0.1',
        'x-forwarded-host': base.slice(7),
      }),
      401,
    );
  });
});

describe('this machine', () => {
  it('a local browser keeps the password-less session', async () => {
    expect((await send(base, 'POST', '/api/session', { headers: { origin: base } })).status).toBe(200);
    expect((await send(base, 'POST', '/api/session')).status).toBe(200);
  });
  it('a page of the public URL asking on a loopback Host (Codespaces rewrites Host) needs the key', async () => {
    expectRefused(await send(base, 'POST', '/api/session', { headers: { origin: publicOrigin } }), 401);
  });
});

describe('probes and scrapers', () => {
  it('/api/health and the load generator metrics answer any Host; the rest of /api does not', async () => {
    const pod = { host: '10.42.0.17:4000' };
    expect((await send(base, 'GET', '/api/health', { headers: pod })).status).toBe(200);
    expect((await send(base, 'GET', '/api/telemetry/loadgen/metrics', { headers: pod })).status).toBe(200);
    expectRefused(await send(base, 'GET', '/api/thing', { headers: pod }), 403);
    expectRefused(await send(base, 'POST', '/api/session', { headers: pod }), 403);
  });
});

describe('wrong keys', () => {
  it('are rate limited with Retry-After, checked before comparing (the right key waits too)', async () => {
    const small = await serve({ keyFailureLimit: { burst: 3, perSecond: 0.05 } });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (await from('127.0.0.1', small, 'POST', '/api/session', viaProxy, json({ key: `guess-${i}` }))).status,
      );
    expect(statuses).toEqual([401, 401, 401, 429]);
    const right = await from('127.0.0.1', small, 'POST', '/api/session', viaProxy, json({ key }));
    expectRefused(right, 429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A missing key is not a guess: it does not spend the budget (checked on a fresh listener).
    const other = await serve({ keyFailureLimit: { burst: 1, perSecond: 0.05 } });
    for (let i = 0; i < 3; i++) expectRefused(await from('127.0.0.1', other, 'POST', '/api/session', viaProxy), 401);
    expect((await from('127.0.0.1', other, 'POST', '/api/session', viaProxy, json({ key }))).status).toBe(200);
  });
});
