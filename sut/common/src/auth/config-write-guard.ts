import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';
import { configAudience, verifyBearer } from './tokens.ts';
import { createWriteLimiter, type WriteLimit } from './write-limiter.ts';

/**
 * Guards a SUT service's config writes (PATCH /config, POST /config/reset): the caller must present a
 * `sut-config` JWT (401 otherwise), and an authenticated flood is answered 429 with Retry-After before any
 * work. Anonymous requests never spend the budget, so they cannot starve the orchestrator's writes.
 */
export function configWriteGuard(
  secret: Uint8Array,
  limit?: WriteLimit,
): (req: FastifyRequest, reply: FastifyReply) => Promise<string> {
  const limiter = createWriteLimiter(limit);
  return async (req, reply) => {
    const who = await verifyBearer(req.headers.authorization, secret, configAudience);
    const wait = limiter.take();
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new HttpError(`too many config writes: retry in ${wait} s`, { code: 'rate_limited', status: 429 });
    }
    return who;
  };
}
