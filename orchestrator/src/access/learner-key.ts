import { createHash, timingSafeEqual } from 'node:crypto';
import { loadOrCreateSecretText } from '@observastack/sut-common/auth/secret.ts';

/**
 * The learner key that a browser arriving through a public URL must present to get a session: OBS_LEARNER_KEY
 * when set (a workshop roster sets one per learner), else the text of `file` (OBS_LEARNER_KEY_FILE, e.g. a
 * mounted secret, or `<data dir>/secrets/learner-key`), generated there on first start (32 random bytes,
 * base64url, mode 0600) so that a bookmarked `/?key=` URL survives a restart.
 */
export async function loadLearnerKey(fromEnv: string | undefined, file: string): Promise<string> {
  if (fromEnv) return fromEnv;
  return check(await loadOrCreateSecretText(file), file);
}

function check(text: string, file: string): string {
  const key = text.trim();
  if (key.length < 16 || !/^[\x21-\x7e]+$/.test(key))
    throw new Error(`the learner key in ${file} must be at least 16 printable characters without spaces`);
  return key;
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
