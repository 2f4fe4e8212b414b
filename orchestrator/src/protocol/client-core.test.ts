import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { openSocket, PlatformError, platformRequest, SessionRefusedError, SessionTokens } from './client-core.ts';

// The client core against a real HTTP server on loopback: what it sends, what it keeps, when it asks again.

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

let server: Server;
let base: string;
let seen: Seen[];
/** The next answers of POST /api/session, in order; after them every request gets a new token. */
let sessionAnswers: { status: number; body: unknown }[];
let issued: number;

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => resolve(body));
  });

beforeEach(async () => {
  seen = [];
  sessionAnswers = [];
  issued = 0;
  server = createServer(async (req, res) => {
    const body = await read(req);
    seen.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    };
    if (req.url === '/api/session') {
      const next = sessionAnswers.shift() ?? { status: 200, body: { token: `t${++issued}`, expiresInSeconds: 3600 } };
      return send(next.status, next.body);
    }
    if (req.url === '/api/text') return res.end('plain words');
    // A write route that takes only the newest token.
    if (req.headers.authorization !== `Bearer t${issued}`) return send(401, { error: { code: 'unauthorized' } });
    send(200, { echo: body });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  vi.useRealTimers();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sessionPosts = () => seen.filter((s) => s.url === '/api/session');

describe('SessionTokens', () => {
  it('asks once for callers that come together, keeps the token, and asks anew when told to', async () => {
    const tokens = new SessionTokens({ base: () => base });
    expect(await Promise.all([tokens.get(), tokens.get(), tokens.get()])).toEqual(['t1', 't1', 't1']);
    expect(await tokens.get()).toBe('t1');
    expect(sessionPosts()).toHaveLength(1);
    expect(await tokens.get(true)).toBe('t2');
    expect(sessionPosts()).toHaveLength(2);
  });

  it('sends the learner key as JSON, and none without one', async () => {
    await new SessionTokens({ base: () => base, key: () => 'k-123' }).get();
    await new SessionTokens({ base: () => base, key: () => null }).get();
    expect(sessionPosts().map((s) => s.body)).toEqual(['{"key":"k-123"}', '']);
  });

  it('asks anew a minute before the token expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    sessionAnswers.push({ status: 200, body: { token: 'short', expiresInSeconds: 120 } });
    const tokens = new SessionTokens({ base: () => base });
    expect(await tokens.get()).toBe('short');
    vi.setSystemTime(Date.now() + 59_000);
    expect(await tokens.get()).toBe('short');
    vi.setSystemTime(Date.now() + 2_000);
    expect(await tokens.get()).toBe('t1');
  });

  it('rejects a refusal with its status and the platform’s reason, tells onRefused, and does not keep it', async () => {
    sessionAnswers.push({ status: 401, body: { error: { code: 'learner_key', message: 'open the printed URL' } } });
    const refusals: number[] = [];
    const tokens = new SessionTokens({ base: () => base, onRefused: (s) => refusals.push(s) });
    const err = await tokens.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionRefusedError);
    expect([(err as SessionRefusedError).status, (err as Error).message]).toEqual([401, 'open the printed URL']);
    expect(refusals).toEqual([401]);
    expect(await tokens.get()).toBe('t1');
  });

  it('names the status when the refusal is not the platform’s JSON', async () => {
    sessionAnswers.push({ status: 502, body: '<html>bad gateway</html>' });
    const err = await new SessionTokens({ base: () => base }).get().catch((e: unknown) => e);
    expect((err as Error).message).toBe('the platform refused a session (502)');
  });
});

describe('platformRequest', () => {
  it('sends JSON with the token, and after a 401 asks for a fresh token once and sends again', async () => {
    const tokens = new SessionTokens({ base: () => base });
    expect(await tokens.get()).toBe('t1');
    await new SessionTokens({ base: () => base }).get(); // another client's session: t1 is no longer the newest
    const answer = await platformRequest(base, 'POST', '/api/write', { body: { a: 1 }, token: (f) => tokens.get(f) });
    expect([answer.status, answer.ok, answer.json]).toEqual([200, true, { echo: '{"a":1}' }]);
    expect(seen.filter((s) => s.url === '/api/write').map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t3']);
  });

  it('without a token sends none and does not retry; a text answer has json null', async () => {
    const refused = await platformRequest(base, 'PATCH', '/api/write', { body: 'raw' });
    expect([refused.status, refused.ok, refused.json]).toEqual([401, false, { error: { code: 'unauthorized' } }]);
    expect(seen.map((s) => [s.authorization, s.body])).toEqual([[undefined, 'raw']]);
    const text = await platformRequest(base, 'GET', '/api/text');
    expect([text.text, text.json]).toEqual(['plain words', null]);
  });

  it('rejects when nothing listens', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await expect(platformRequest(base, 'GET', '/api/health')).rejects.toThrow();
    server = createServer().listen(0, '127.0.0.1'); // for afterEach
  });
});

describe('PlatformError.of', () => {
  const answer = (status: number, text: string) => {
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {}
    return { status, ok: false, text, json };
  };

  it('reads the platform’s error body: code, message, issues', () => {
    const issues = [{ path: 'scenarioId', message: 'Required' }];
    const e = PlatformError.of(
      answer(400, JSON.stringify({ error: { code: 'invalid_request', message: 'bad', issues } })),
    );
    expect([e.status, e.code, e.message, e.issues]).toEqual([400, 'invalid_request', 'bad', issues]);
  });

  it('keeps what another server said, and names the request when told', () => {
    const e = PlatformError.of(answer(502, '<html>bad gateway</html>'), 'POST /api/runs');
    expect([e.code, e.message, e.issues]).toEqual([
      'error',
      'POST /api/runs answered 502: <html>bad gateway</html>',
      [],
    ]);
    expect(PlatformError.of(answer(500, '')).message).toBe('request failed with status 500');
  });
});

describe('openSocket', () => {
  it('offers the bearer subprotocol with the token, and none without one', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    const offered: string[][] = [];
    wss.on('connection', (_ws, req) =>
      offered.push((req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())),
    );
    await new Promise((resolve) => wss.once('listening', resolve));
    const wsBase = `http://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    try {
      for (const token of ['abc', null]) {
        const ws = openSocket(wsBase, token);
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = reject;
        });
        ws.close();
      }
      expect(offered).toEqual([['observastack', 'bearer.abc'], ['']]);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});
