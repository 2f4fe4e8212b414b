import { controlAudience, mintToken, verifyToken } from '@observastack/sut-common/auth/tokens.ts';
import { HttpError } from '@observastack/sut-common/errors.ts';
import { ApiError } from '../api/api-error.ts';

/** A browser session on the control path lasts a working day; the page asks for a new one when refused. */
export const sessionTtlSeconds = 12 * 3600;

/** Mints a session token (audience `observastack-control`): accepted by the orchestrator, refused by every SUT service. */
export function mintSessionToken(secret: Uint8Array, subject = 'learner'): Promise<string> {
  return mintToken({ secret, subject, audience: controlAudience, ttlSeconds: sessionTtlSeconds });
}

/** Verifies a session token; failures are a 401 ApiError with the reason (expired, wrong audience, …). */
export async function verifySessionToken(token: string, secret: Uint8Array): Promise<string> {
  try {
    return await verifyToken(token, secret, controlAudience);
  } catch (err) {
    if (err instanceof HttpError) throw new ApiError(err.message, { code: err.code, status: err.status, cause: err });
    throw err;
  }
}

/** The token of a request: `Authorization: Bearer <jwt>`; undefined when absent or not a bearer header. */
export function bearerOf(header: string | undefined): string | undefined {
  return /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header ?? '')?.[1];
}
