// Where the type-stripped JavaScript of the platform's own TypeScript is kept and how an entry is named
// (strip-types.mjs writes it, ts-cache-hooks.mjs serves it). Plain JavaScript: it runs before any TypeScript.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Folders whose TypeScript the platform's processes run (tests and the site are not among them). */
export const runtimeSourceDirs = ['orchestrator/src', 'sut'];

/** The cache folder: OBS_TS_CACHE_DIR, or node_modules/.cache/observastack-js in the checkout. */
export const cacheDir = process.env.OBS_TS_CACHE_DIR || join(repoRoot, 'node_modules/.cache/observastack-js');

/** An entry is named by the hash of its source text: an edited file misses and is stripped by Node as usual. */
export const entryFor = (source) => join(cacheDir, `${createHash('sha1').update(source).digest('hex')}.js`);
