import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtVerify } from 'jose';
import { buildApp, type AppParts } from '../../src/app.ts';
import { controlAudience, tokenIssuer } from '@observastack/sut-common/auth/tokens.ts';
import { expectRefused, send } from '../../../test-support/hostile-input.ts';
import { badTokens } from './bad-tokens.ts';

// The guards of the orchestrator's listener, on a real HTTP server with stand-in routes.
const secret = new Uint8Array(32).fill(7);
const servers: Server[] = [];
let writes = 0;

async function serve(extra: Partial<AppParts> = {}): Promise<string> {
  const api = Router()
    .get('/thing', (_req, res) => void res.json({ ok: true }))
    .post('/thing', (_req, res) => void res.json({ ok: ++writes }))
    .patch('/services/:name/config', (_req, res) => void res.json({ ok: true }))
    .post('/telemetry/logs', (_req, res) => void res.json({ wrote: true }));
  const ingest = Router().post('/v1/traces', (_req, res) => void res.json({}));
  const app = buildApp({
    allowedOrigins: () => new Set(['http://site.example:8000']),
    secret,
    api: [api],
    root: [ingest],
    log: () => {},
    ...extra,
  });
  const srv = createServer(app);
  servers.push(srv);
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', () => ok()));
  return `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
}

const session = async (base: string, headers: Record<string, string> = {}) =>
  send(base, 'POST', '/api/session', { headers });
const bearer = (token: string | undefined): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

let base: string;
let token: string;
beforeAll(async () => {
  base = await serve();
  token = (await session(base)).json.token;
});
afterAll(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
});

describe('POST /api/session', () => {
  it('gives a browser on this machine a 12-hour control token, never cached', async () => {
    const r = await session(base, { origin: base });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    const { payload } = await jwtVerify(r.json.token, secret, { issuer: tokenIssuer, audience: controlAudience });
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    expect(r.json.expiresInSeconds).toBe(12 * 3600);
  });
  it('an allowlisted origin gets one, with CORS headers', async () => {
    const r = await session(base, { origin: 'http://site.example:8000' });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('http://site.example:8000');
  });
  it.each([
    ['a foreign origin', () => ({ origin: 'http://evil.example' })],
    ['an opaque origin', () => ({ origin: 'null' })],
    ['a look-alike of this origin', () => ({ origin: base.replace('127.0.0.1', '127.0.0.1.evil.example') })],
    ['this origin over https', () => ({ origin: base.replace('http:', 'https:') })],
    ['a DNS-rebinding Host', () => ({ host: 'evil.example:4000', origin: 'http://evil.example:4000' })],
    ['a rebinding Host without Origin', () => ({ host: 'evil.example:4000' })],
  ])('%s -> 403', async (_name, headers) => {
    expectRefused(await session(base, headers()), 403);
  });
  it('a peer that is not on this machine -> 403', async () => {
    const remote = await serve({ trustedPeer: () => false });
    expectRefused(await session(remote), 403);
  });
});

describe('writes need the session token; reads stay open to this machine', () => {
  it('GET without a token -> 200', async () => {
    expect((await send(base, 'GET', '/api/thing')).status).toBe(200);
  });
  it('GET with a rebinding Host -> 403', async () => {
    expectRefused(await send(base, 'GET', '/api/thing', { headers: { host: 'attacker.example:4000' } }), 403);
  });
  it.each(badTokens(secret, controlAudience))(
    'POST with %s -> 401 and the route never runs',
    async (_name, make, reason) => {
      const before = writes;
      const r = await send(base, 'POST', '/api/thing', { headers: bearer(await make()) });
      expectRefused(r, 401);
      expect(r.json.error.message).toMatch(reason);
      expect(r.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(writes).toBe(before);
    },
  );
  it('POST with the session token -> 200', async () => {
    expect((await send(base, 'POST', '/api/thing', { headers: bearer(token) })).status).toBe(200);
  });
  it('a cross-site POST is refused on its Origin even with a token', async () => {
    expectRefused(
      await send(base, 'POST', '/api/thing', { headers: { ...bearer(token), origin: 'http://evil.example' } }),
      403,
    );
  });
});

describe('rate limits', () => {
  it('writes beyond the budget -> 429 with Retry-After; another class keeps its own budget', async () => {
    const small = await serve({ writeLimit: { burst: 5, perSecond: 0.5 } });
    const t = (await session(small)).json.token;
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 8; i++) {
      const r = await send(small, 'POST', '/api/thing', { headers: bearer(t) });
      statuses.push(r.status);
      if (r.status === 429) (retryAfter = String(r.headers['retry-after'])), expectRefused(r, 429);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect((await send(small, 'PATCH', '/api/services/api/config', { headers: bearer(t) })).status).toBe(200);
    expect((await send(small, 'GET', '/api/thing')).status).toBe(200);
  });
  it('strangers without a token do not spend the budget', async () => {
    const small = await serve({ writeLimit: { burst: 2, perSecond: 0.5 } });
    for (let i = 0; i < 5; i++) expectRefused(await send(small, 'POST', '/api/thing'), 401);
    const t = (await session(small)).json.token;
    expect((await send(small, 'POST', '/api/thing', { headers: bearer(t) })).status).toBe(200);
  });
  it('session minting is limited too', async () => {
    const small = await serve({ writeLimit: { burst: 2, perSecond: 0.5 } });
    const rs = [await session(small), await session(small), await session(small)];
    expect(rs.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(rs[2].headers['retry-after']).toMatch(/^\d+$/);
  });
});

describe('the observability prefix', () => {
  it('the telemetry API is read-only, token or not', async () => {
    const r = await send(base, 'POST', '/api/telemetry/logs', { headers: bearer(token) });
    expectRefused(r, 405);
    expect(r.headers.allow).toBe('GET, HEAD');
  });
  it('the trace ingest refuses browsers and other machines', async () => {
    expect((await send(base, 'POST', '/v1/traces')).status).toBe(200);
    expectRefused(await send(base, 'POST', '/v1/traces', { headers: { origin: base } }), 403);
    const remote = await serve({ trustedPeer: () => false });
    expectRefused(await send(remote, 'POST', '/v1/traces'), 403);
  });
});

describe('security headers', () => {
  it('API answers: nothing may load or frame them', async () => {
    const r = await send(base, 'GET', '/api/thing');
    expect(r.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['x-frame-options']).toBe('DENY');
  });
  it('the site: scripts from itself and its own inline scripts by hash; no frames without Grafana', async () => {
    const siteDir = await mkdtemp(join(tmpdir(), 'observastack-site-'));
    await mkdir(join(siteDir, 'lessons'));
    const inline = 'customElements.define("x-island", class extends HTMLElement {})';
    await writeFile(join(siteDir, 'index.html'), '<!doctype html><title>t</title><script src="/app.js"></script>');
    await writeFile(join(siteDir, 'lessons', 'one.html'), `<!doctype html><script type="module">${inline}</script>`);
    const site = await serve({ siteDir });
    const r = await send(site, 'GET', '/lessons/one');
    expect(r.status).toBe(200);
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain(`script-src 'self' 'sha256-${createHash('sha256').update(inline).digest('base64')}'`);
    expect(csp).toContain("frame-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(r.headers['cross-origin-opener-policy']).toBe('same-origin');
  });
  it('with OBS_GRAFANA_URL the site may frame that origin, and only it', async () => {
    const site = await serve({ grafanaUrl: 'http://127.0.0.1:3000/d/abc?orgId=1' });
    const csp = String((await send(site, 'GET', '/')).headers['content-security-policy']);
    expect(csp).toContain('frame-src http://127.0.0.1:3000;');
  });
});
