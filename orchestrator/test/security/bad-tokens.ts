import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { configAudience, controlAudience, tokenIssuer } from '@observastack/sut-common/auth/tokens.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

/** A token like the real ones for `audience`, with one part overridden. */
export function forgeToken(
  secret: Uint8Array,
  audience: string,
  o: { key?: Uint8Array; iss?: string; aud?: string; exp?: number; nbf?: number; alg?: string; sub?: string } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: o.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer(o.iss ?? tokenIssuer)
    .setAudience(o.aud ?? audience)
    .setSubject(o.sub ?? 'attacker')
    .setIssuedAt()
    .setNotBefore(o.nbf ?? now() - 1)
    .setExpirationTime(o.exp ?? now() + 300)
    .sign(o.key ?? secret);
}

/**
 * Every way a bearer token for `audience` can be wrong, each with the reason the refusal must give. A
 * token for the other path (session vs sut-config) is one of them.
 */
export function badTokens(
  secret: Uint8Array,
  audience: string,
): [name: string, make: () => Promise<string | undefined>, reason: RegExp][] {
  const otherPath = audience === controlAudience ? configAudience : controlAudience;
  return [
    ['no token', async () => undefined, /token|bearer/i],
    ['not a JWT', async () => 'not-a-jwt', /token invalid/],
    ['expired', async () => forgeToken(secret, audience, { exp: now() - 60 }), /expired/],
    ['not yet valid', async () => forgeToken(secret, audience, { nbf: now() + 600 }), /nbf/],
    ['wrong audience', async () => forgeToken(secret, audience, { aud: 'someone-else' }), /aud/],
    [`token of the other path (${otherPath})`, async () => forgeToken(secret, audience, { aud: otherPath }), /aud/],
    ['wrong issuer', async () => forgeToken(secret, audience, { iss: 'evil' }), /iss/],
    [
      'wrong key',
      async () => forgeToken(secret, audience, { key: new Uint8Array(randomBytes(32)) }),
      /signature invalid/,
    ],
    ['HS512 with the right key', async () => forgeToken(secret, audience, { alg: 'HS512' }), /algorithm not allowed/],
    [
      'alg none',
      async () => {
        const payload = {
          iss: tokenIssuer,
          aud: audience,
          sub: 'attacker',
          iat: now(),
          nbf: now() - 1,
          exp: now() + 300,
        };
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
      },
      /algorithm not allowed|token invalid/,
    ],
    [
      'tampered payload',
      async () => {
        const [header, , sig] = (await forgeToken(secret, audience)).split('.');
        return `${header}.${b64({ iss: tokenIssuer, aud: audience, sub: 'root', iat: now(), nbf: now() - 1, exp: now() + 86_400 })}.${sig}`;
      },
      /signature invalid/,
    ],
    ['over-long token', async () => 'a'.repeat(5000) + '.b.c', /token invalid/],
  ];
}
