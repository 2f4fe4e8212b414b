import { SignJWT, jwtVerify, errors } from 'jose';
import { HttpError } from '../errors.ts';

export const tokenIssuer = 'observastack';
/** Audience of tokens allowed to change a SUT service's runtime config. */
export const configAudience = 'sut-config';
/** Audience of the orchestrator's browser session tokens (control path); never accepted by a SUT service. */
export const controlAudience = 'observastack-control';

export interface MintOptions {
  secret: Uint8Array;
  /** Who acts: recorded in logs and on the run timeline. */
  subject: string;
  audience?: string;
  ttlSeconds?: number;
}

export async function mintToken(opts: MintOptions): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(tokenIssuer)
    .setAudience(opts.audience ?? configAudience)
    .setSubject(opts.subject)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(`${opts.ttlSeconds ?? 300}s`)
    .sign(opts.secret);
}

const tokenShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Verifies a compact JWT for `audience`: HS256 only (so `alg: none` and key confusion are refused), issuer,
 * audience, exp and nbf checked, `exp` required. Any failure is a 401 with the reason; returns the subject.
 */
export async function verifyToken(token: string, secret: Uint8Array, audience: string): Promise<string> {
  if (token.length > 4096 || !tokenShape.test(token))
    throw new HttpError('token invalid', { code: 'unauthorized', status: 401 });
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ['HS256'],
      issuer: tokenIssuer,
      audience,
      requiredClaims: ['exp', 'sub'],
    });
    return payload.sub ?? 'unknown';
  } catch (err) {
    const reason =
      err instanceof errors.JWTExpired
        ? 'token expired'
        : err instanceof errors.JWTClaimValidationFailed
          ? `token claim "${err.claim}" invalid: ${err.reason}`
          : err instanceof errors.JOSEAlgNotAllowed
            ? 'token algorithm not allowed'
            : err instanceof errors.JWSSignatureVerificationFailed
              ? 'token signature invalid'
              : 'token invalid';
    throw new HttpError(reason, { code: 'unauthorized', status: 401, cause: err });
  }
}

/** Verifies an `Authorization: Bearer <jwt>` header for `audience` (see verifyToken). */
export async function verifyBearer(
  header: string | undefined,
  secret: Uint8Array,
  audience = configAudience,
): Promise<string> {
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '');
  if (!match) throw new HttpError('missing bearer token', { code: 'unauthorized', status: 401 });
  return verifyToken(match[1], secret, audience);
}
