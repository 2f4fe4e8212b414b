import { describe, expect, it, beforeEach } from 'vitest';
import { mintSessionToken } from '../auth/session-token.ts';
import { siteOrigin, port, token, start, attempt, useHub } from './ws-hub-test-kit.ts';

useHub();

describe('WsHub upgrade', () => {
  beforeEach(async () => {
    await start();
  });

  it('answers 404 for any path other than /ws, before looking at the token', async () => {
    const a = await attempt({ path: '/socket' });
    expect(a.status).toBe(404);
    expect(a.body).toEqual({ error: { code: 'not_found', message: 'no such endpoint' } });
  });

  it('refuses a Host that is not this machine (DNS rebinding) with 403', async () => {
    const a = await attempt({
      headers: { host: `evil.example:${port}` },
      protocols: ['observastack', `bearer.${token}`],
    });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: { code: 'forbidden', message: 'host is not this platform' } });
  });

  it('refuses a cross-site Origin with 403 even with a valid token', async () => {
    const a = await attempt({ origin: 'http://evil.example', protocols: ['observastack', `bearer.${token}`] });
    expect(a.status).toBe(403);
    expect(a.body).toEqual({ error: { code: 'forbidden', message: 'origin not allowed' } });
  });

  it('accepts the server’s own origin and an allowlisted one', async () => {
    const own = await attempt({ origin: `http://127.0.0.1:${port}`, protocols: ['observastack', `bearer.${token}`] });
    const listed = await attempt({ origin: siteOrigin, protocols: ['observastack', `bearer.${token}`] });
    expect([own.status, listed.status]).toEqual([101, 101]);
  });

  it('refuses an upgrade without a token with 401 and says how to get one', async () => {
    const a = await attempt({ protocols: ['observastack'] });
    expect(a.status).toBe(401);
    expect(a.body).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('POST /api/session') } });
  });

  it.each([
    ['not a JWT', async () => 'not-a-jwt', 'token invalid'],
    [
      'signed with another secret',
      () => mintSessionToken(new TextEncoder().encode('another-secret-another-secret-00')),
      'token signature invalid',
    ],
  ])('refuses a token %s with 401 and the reason', async (_name, make, reason) => {
    const bad = await make();
    const viaQuery = await attempt({ path: `/ws?token=${bad}` });
    const viaProtocol = await attempt({ protocols: ['observastack', `bearer.${bad}`] });
    expect([viaQuery.status, viaQuery.body]).toEqual([401, { error: { code: 'unauthorized', message: reason } }]);
    expect([viaProtocol.status, viaProtocol.body]).toEqual([401, { error: { code: 'unauthorized', message: reason } }]);
  });

  it('accepts the token in ?token= (no subprotocol chosen) or in the bearer subprotocol (answers observastack)', async () => {
    const q = await attempt({ path: `/ws?token=${token}` });
    const p = await attempt({ protocols: ['observastack', `bearer.${token}`] });
    expect([q.status, q.serverProtocol]).toEqual([101, undefined]);
    expect([p.status, p.serverProtocol, p.peer?.ws.protocol]).toEqual([101, 'observastack', 'observastack']);
  });

  it('never echoes the bearer subprotocol, so a client offering only that one cannot complete the handshake', async () => {
    const a = await attempt({ protocols: [`bearer.${token}`] });
    expect(a.serverProtocol).toBeUndefined();
    expect(a.error).toBe('Server sent no subprotocol');
    expect(a.peer).toBeUndefined();
  });
});
