import { controlAudience, mintToken, verifyToken } from '@observastack/sut-common/auth/tokens.ts';

/** A browser session on the control path lasts a working day; the page asks for a new one when refused. */
export const sessionTtlSeconds = 12 * 3600;

/** Mints a session token (audience `observastack-control`): accepted by the orchestrator, refused by every SUT service. */
export function mintSessionToken(secret: Uint8Array, subject = 'learner'): Promise<string> {
  return mintToken({ secret, subject, audience: controlAudience, ttlSeconds: sessionTtlSeconds });
}

/** Verifies a session token; failures are a 401 HttpError with the reason (expired, wrong audience, …). */
export function verifySessionToken(token: string, secret: Uint8Array): Promise<string> {
  return verifyToken(token, secret, controlAudience);
}

/** The token of a request: `Authorization: Bearer <jwt>`; undefined when absent or not a bearer header. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '')?.[1];
}
