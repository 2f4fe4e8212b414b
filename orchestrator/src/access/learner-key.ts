import { createHash, timingSafeEqual } from 'node:crypto';
import { loadOrCreateSecret } from '../../../sut/common/src/auth/secret.ts';

/**
 * The learner key that a browser arriving through a public URL must present to get a session: OBS_LEARNER_KEY
 * when set (a workshop roster sets one per learner), otherwise 32 random bytes generated on first start and
 * kept in `<data dir>/secrets/learner-key` (mode 0600), so a bookmarked `/?key=` URL survives a restart.
 */
export async function loadLearnerKey(fromEnv: string | undefined, file: string): Promise<string> {
  if (fromEnv) return fromEnv;
  return Buffer.from(await loadOrCreateSecret(file)).toString('base64url');
}

/** Constant-time comparison (both sides hashed first, so neither the content nor the length leaks through timing). */
export function keyMatches(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** The URL a learner opens: the public URL with the key, as Jupyter prints its token URL. */
export function keyUrl(origin: string, key: string): string {
  return `${origin}/?key=${encodeURIComponent(key)}`;
}
