import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { tsCacheHooks } from '../src/launcher/services.ts';

// The type-stripped cache (strip-types.mjs) and its loader hook (ts-cache-hooks.mjs), in real Node processes.
const run = promisify(execFile);
const stripTypes = new URL('../src/launcher/strip-types.mjs', import.meta.url).pathname;
/** An entry's file name: the sha1 of the source text (ts-cache.mjs). */
const entryName = (source: string) => `${createHash('sha1').update(source).digest('hex')}.js`;
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'observastack-ts-cache-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Imports `file` in a fresh node with the hook preloaded and the cache at `cache`; prints its `v`. */
async function importedV(file: string, cache: string): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', tsCacheHooks, '--input-type=module', '-e', `console.log((await import(${JSON.stringify(file)})).v)`],
    { env: { ...process.env, OBS_TS_CACHE_DIR: cache } },
  );
  return stdout.trim();
}

describe('the type-stripped cache', () => {
  it('serves a .ts module from its cache entry, and a file with no entry as Node would', async () => {
    const dir = tempDir();
    const cache = tempDir();
    const source = 'export const v: number = 1;\n';
    writeFileSync(join(dir, 'm.ts'), source);
    expect(await importedV(join(dir, 'm.ts'), cache)).toBe('1'); // no entry: Node strips it itself
    // An entry named by the source's hash is what gets run (here deliberately different, to tell them apart).
    const entry = join(cache, entryName(source));
    writeFileSync(entry, 'export const v = 2;\n');
    expect(await importedV(join(dir, 'm.ts'), cache)).toBe('2');
    // Edited: the hash changes, the old entry no longer applies.
    writeFileSync(join(dir, 'm.ts'), 'export const v: number = 3;\n');
    expect(await importedV(join(dir, 'm.ts'), cache)).toBe('3');
  });

  it('strip-types.mjs fills it with every runtime module, stripped in place, and drops stale entries', async () => {
    const cache = tempDir();
    writeFileSync(join(cache, 'stale.js'), 'old');
    await run(process.execPath, [stripTypes], { env: { ...process.env, OBS_TS_CACHE_DIR: cache } });
    const entries = readdirSync(cache);
    expect(entries).not.toContain('stale.js');
    const services = readFileSync(new URL('../src/launcher/services.ts', import.meta.url), 'utf8');
    const entry = join(cache, entryName(services));
    expect(existsSync(entry)).toBe(true);
    const js = readFileSync(entry, 'utf8');
    // Same lines as the source (stack traces point at the .ts lines), no type annotations left.
    expect(js.split('\n').length).toBe(services.split('\n').length);
    expect(js).not.toMatch(/: SutServiceName\b/);
    expect(entries.length).toBeGreaterThan(100);
  });
});
