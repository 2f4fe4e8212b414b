import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';

/**
 * Reads the HS256 secret that config-write tokens are signed with, creating it (32 random bytes, mode 0600)
 * on first start.
 */
export async function loadOrCreateSecret(file: string): Promise<Uint8Array> {
  return decode(await loadOrCreateSecretText(file), file);
}

/**
 * The text of a generated secret file (32 random bytes, base64url, mode 0600 in a 0700 folder), created on first
 * start. Several processes may start at once: the first writer wins (`wx`), the others read it.
 */
export async function loadOrCreateSecretText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // Only the secrets folder is private: its parent (the data dir) must stay enterable by the PostgreSQL user.
  await mkdir(dirname(dirname(file)), { recursive: true });
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFile(file, 'utf8');
}

function decode(text: string, file: string): Uint8Array {
  const bytes = Buffer.from(text.trim(), 'base64url');
  if (bytes.length < 32) throw new Error(`JWT secret in ${file} is shorter than 32 bytes`);
  return new Uint8Array(bytes);
}
