import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SignJWT, generateKeyPair } from 'jose';
import { startIsolatedSut, type TestSut } from '../../../test-support/sut-harness.ts';
import { configAudience, tokenIssuer } from '../src/auth/tokens.ts';
import { call, patchConfig } from './helpers/http.ts';

let sut: TestSut;
beforeAll(async () => {
  sut = await startIsolatedSut(inject('pgAdminUrl'));
});
afterAll(async () => {
  await sut?.stop();
});

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token like the real ones, with parts overridden. */
async function token(
  o: { secret?: Uint8Array; iss?: string; aud?: string; exp?: number; nbf?: number; alg?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer(o.iss ?? tokenIssuer)
    .setAudience(o.aud ?? configAudience)
    .setSubject('attacker')
    .setIssuedAt()
    .setNotBefore(o.nbf ?? now() - 1)
    .setExpirationTime(o.exp ?? now() + 300)
    .sign(o.secret ?? sut.secret);
}

const badTokens: [string, () => Promise<string | undefined>, RegExp][] = [
  ['missing', async () => undefined, /missing bearer token/],
  ['not a JWT', async () => 'Bearer not-a-jwt', /token invalid/],
  ['Basic scheme', async () => `Basic ${Buffer.from('admin:admin').toString('base64')}`, /missing bearer token/],
  ['empty bearer', async () => 'Bearer ', /missing bearer token/],
  ['expired', async () => `Bearer ${await token({ exp: now() - 60 })}`, /expired/],
  ['not yet valid', async () => `Bearer ${await token({ nbf: now() + 600 })}`, /nbf/],
  ['wrong audience', async () => `Bearer ${await token({ aud: 'sut-read' })}`, /aud/],
  ['wrong issuer', async () => `Bearer ${await token({ iss: 'someone-else' })}`, /iss/],
  ['wrong key', async () => `Bearer ${await token({ secret: new Uint8Array(randomBytes(32)) })}`, /signature invalid/],
  ['HS512 with the right key', async () => `Bearer ${await token({ alg: 'HS512' })}`, /algorithm not allowed/],
  [
    'RS256 key',
    async () => {
      const { privateKey } = await generateKeyPair('RS256');
      const jwt = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer(tokenIssuer)
        .setAudience(configAudience)
        .setSubject('x')
        .setExpirationTime('5m')
        .sign(privateKey);
      return `Bearer ${jwt}`;
    },
    /algorithm not allowed/,
  ],
  [
    'alg none',
    async () => {
      const payload = {
        iss: tokenIssuer,
        aud: configAudience,
        sub: 'attacker',
        iat: now(),
        nbf: now() - 1,
        exp: now() + 300,
      };
      return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
    },
    /token/,
  ],
  [
    'alg none with a signature part',
    async () => {
      const good = await token();
      const [, payload, sig] = good.split('.');
      return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${payload}.${sig}`;
    },
    /token/,
  ],
  [
    'tampered payload',
    async () => {
      const [header, , sig] = (await token()).split('.');
      const payload = {
        iss: tokenIssuer,
        aud: configAudience,
        sub: 'root',
        iat: now(),
        nbf: now() - 1,
        exp: now() + 86_400,
      };
      return `Bearer ${header}.${b64(payload)}.${sig}`;
    },
    /signature invalid/,
  ],
  [
    'tampered signature',
    async () => {
      const good = await token();
      const flipped = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
      return `Bearer ${flipped}`;
    },
    /signature invalid|token invalid/,
  ],
];

describe('PATCH /config needs a valid config-write token', () => {
  it.each(badTokens)('%s -> 401 and nothing changed', async (_name, make, reason) => {
    for (const url of [sut.urls.api, sut.urls.apiAdmin, sut.urls.gatewayAdmin]) {
      const before = (await call(`${url}/config`)).json;
      const header = await make();
      const r = await call(`${url}/config`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json', ...(header === undefined ? {} : { authorization: header }) },
        body: JSON.stringify(url === sut.urls.gatewayAdmin ? { rateLimitRps: 1 } : { dbPoolMax: 3 }),
      });
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('unauthorized');
      expect(r.json.error.message).toMatch(reason);
      expect((await call(`${url}/config`)).json).toEqual(before);
    }
    expect(sut.logs.filter((e) => e.json?.msg === 'config changed')).toEqual([]);
  });

  it('POST /config/reset needs one too', async () => {
    const r = await call(`${sut.urls.inventory}/config/reset`, { method: 'POST' });
    expect(r.status).toBe(401);
  });

  it('a valid token -> 200, and the log names its subject', async () => {
    const r = await patchConfig(sut.urls.api, { dbPoolMax: 3 }, await sut.token('alice'));
    expect(r.status).toBe(200);
    expect(r.json.config.dbPoolMax).toBe(3);
    const log = await sut.waitForLog((e) => e.json?.msg === 'config changed');
    expect(log.json).toMatchObject({ service: 'api', who: 'alice', key: 'dbPoolMax', from: 20, to: 3 });
  });

  it('a token with a hand-built valid HS256 signature is accepted (the bad ones above fail for their flaw only)', async () => {
    const r = await patchConfig(sut.urls.gatewayAdmin, { rateLimitRps: 0, retryCount: 1 }, await token());
    expect(r.status).toBe(200);
    expect(r.json.changes).toEqual([{ key: 'retryCount', from: 0, to: 1 }]);
  });
});
